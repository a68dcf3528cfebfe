"""Base for hooks that keep per-rank state in rank 0's checkpoint."""
import logging
from typing import Any, List, Optional

from mmengine.dist import all_gather_object, get_rank, get_world_size
from mmengine.hooks import CheckpointHook, Hook
from mmengine.logging import print_log


class PerRankStateHook(Hook):
    """Save one piece of state per rank in the checkpoint, give each rank its
    own back on resume.

    mmengine writes checkpoints from rank 0 only and calls
    ``before_save_checkpoint`` only there, so a collective inside it would
    hang. Subclasses therefore have their state gathered *before* a save:
    after every training iteration at which a ``CheckpointHook`` will save
    and after every training epoch (these hooks run before
    ``CheckpointHook``, whose priority is ``VERY_LOW``). ``before_save_
    checkpoint`` stores ``checkpoint[ckpt_key] = dict(states=[rank 0's, rank
    1's, ...], world_size=N, iter=...)``; ``after_load_checkpoint`` hands
    rank ``r`` its own entry, or ``None`` when the checkpoint came from
    another number of processes (the subclass decides what that means and
    warns).

    Subclasses set ``ckpt_key`` and implement :meth:`local_state` (this
    rank's state, checkpoint-safe: tensors, numbers, strings and containers
    of them; or None when there is nothing to save) and :meth:`load_state`.
    :meth:`gather_states`, :meth:`pack_states` and :meth:`unpack_states`
    may be overridden for tensor states (a tensor all-gather instead of
    pickling, one stacked tensor in the checkpoint).
    """

    ckpt_key: str = ''
    _mmssl_internal = True  # an abstract base, not a registered hook

    def __init__(self) -> None:
        self._snapshot: Optional[dict] = None

    # ------------------------------------------------------ subclass API
    def local_state(self, runner) -> Any:
        raise NotImplementedError

    def load_state(self, runner, state: Any, saved_world_size: int) -> None:
        """Take back this rank's ``state`` (None: not available for this
        rank, e.g. another world size)."""
        raise NotImplementedError

    def gather_states(self, state: Any) -> List[Any]:
        """All ranks (a collective): every rank's ``state``, by rank."""
        return all_gather_object(state)

    def pack_states(self, states: List[Any]) -> dict:
        """What the checkpoint stores for ``states`` (besides world_size and
        iter)."""
        return dict(states=states)

    def unpack_states(self, saved: dict) -> List[Any]:
        """Inverse of :meth:`pack_states`."""
        return saved['states']

    # ----------------------------------------------------------- gathering
    def _saves_after_iter(self, runner) -> bool:
        for hook in runner.hooks:
            if isinstance(hook, CheckpointHook) and not hook.by_epoch:
                if self.every_n_train_iters(runner, hook.interval,
                                            hook.save_begin) or (
                        hook.save_last and self.is_last_train_iter(runner)):
                    return True
        return False

    def _gather(self, runner) -> None:
        """All ranks (a collective): collect every rank's state."""
        state = self.local_state(runner)
        if state is None:
            self._snapshot = None
            return
        states = (self.gather_states(state)
                  if get_world_size() > 1 else [state])
        self._snapshot = dict(self.pack_states(states),
                              world_size=len(states), iter=runner.iter)

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch: Optional[dict] = None,
                         outputs: Optional[dict] = None) -> None:
        if self._saves_after_iter(runner):
            self._gather(runner)

    def after_train_epoch(self, runner) -> None:
        self._gather(runner)

    # -------------------------------------------------------- checkpoints
    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        """Rank 0 only: no collective here; store the gathered states."""
        if get_world_size() == 1:
            self._gather(runner)  # no communication with one process
        snapshot = self._snapshot
        if snapshot is None:
            return
        if snapshot['iter'] != runner.iter:
            print_log(
                f'{type(self).__name__}: a checkpoint is saved at iteration '
                f'{runner.iter}, where the per-rank states were not gathered '
                f'(checkpoints are expected from CheckpointHook after an '
                f'iteration or epoch); the states stored are from iteration '
                f'{snapshot["iter"]}.', logger='current',
                level=logging.WARNING)
        checkpoint[self.ckpt_key] = dict(snapshot)

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        """Every rank: take back this rank's state."""
        saved = checkpoint.get(self.ckpt_key)
        if saved is None:
            return
        world_size = get_world_size()
        state = (self.unpack_states(saved)[get_rank()]
                 if saved['world_size'] == world_size else None)
        self.load_state(runner, state, saved['world_size'])
