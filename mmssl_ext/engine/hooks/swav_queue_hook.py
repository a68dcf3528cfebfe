"""SwAV feature queue kept in the checkpoint, plus prototype freezing."""
import logging
from typing import Dict, List, Optional, Sequence

import torch
from mmengine.dist import all_gather, get_rank, get_world_size
from mmengine.hooks import CheckpointHook, Hook
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper
from mmpretrain.registry import HOOKS

CKPT_KEY = 'swav_queue'


def _unwrap(model: torch.nn.Module) -> torch.nn.Module:
    return model.module if is_model_wrapper(model) else model


@HOOKS.register_module()
class SwAVQueueHook(Hook):
    """Feature queue and prototype freezing for mmpretrain's ``SwAV``.

    `SwAV <https://arxiv.org/abs/2006.09882>`_ computes its Sinkhorn codes
    over the batch plus a queue of recent embeddings (one queue per process,
    ``queue_length // world_size`` rows each, one slice per crop in
    ``crops_for_assign``). The queue is created at ``epoch_queue_starts`` (or
    ``iter_queue_starts``) and handed to ``model.head.loss_module``
    (:class:`mmpretrain.models.SwAVLoss`), which fills it in place.

    Unlike mmpretrain's ``SwAVHook`` (which writes ``queue{rank}.pth`` files
    into ``work_dir``), the queue lives in the checkpoint under
    ``checkpoint['swav_queue']``: ``queues`` (a ``(world_size, crops,
    queue_length // world_size, feat_dim)`` tensor, row ``r`` = rank ``r``'s
    queue), ``world_size`` and ``iter``. mmengine saves checkpoints from rank
    0 only, so every rank's queue is all-gathered *before* saving: after each
    train iteration at which a ``CheckpointHook`` will save and after each
    train epoch (this hook runs before ``CheckpointHook``). On load every rank
    gets its own row back. A checkpoint written with a different world size
    cannot be split meaningfully: the queue then restarts empty (warning).

    ``frozen_layers_cfg`` maps a parameter-name substring to the number of
    iterations during which those parameters get no gradient (the SwAV
    recipe freezes ``prototypes`` for the first epoch); it is recomputed from
    ``runner.iter`` each iteration, so it is right after resume.

    Args:
        batch_size (int, optional): Per-process batch size; the queue length
            is rounded down to a multiple of ``batch_size * world_size``.
            Defaults to None: read from ``train_dataloader``.
        epoch_queue_starts (int): First epoch that uses the queue.
            Defaults to 15.
        iter_queue_starts (int, optional): First iteration that uses the
            queue (for iteration-based loops); overrides
            ``epoch_queue_starts``. Defaults to None.
        crops_for_assign (list[int]): Crops whose codes are computed.
            Defaults to [0, 1].
        feat_dim (int): Embedding dimension. Defaults to 128.
        queue_length (int): Total queue length over all processes; 0 turns
            the queue off. Defaults to 0.
        frozen_layers_cfg (dict): ``{name substring: frozen iterations}``.
            Defaults to ``{}``.
    """

    priority = 'VERY_HIGH'

    def __init__(self,
                 batch_size: Optional[int] = None,
                 epoch_queue_starts: int = 15,
                 iter_queue_starts: Optional[int] = None,
                 crops_for_assign: Sequence[int] = (0, 1),
                 feat_dim: int = 128,
                 queue_length: int = 0,
                 frozen_layers_cfg: Optional[Dict[str, int]] = None) -> None:
        if queue_length < 0:
            raise ValueError(f'SwAVQueueHook.queue_length must be >= 0 (0 '
                             f'disables the queue), got {queue_length}.')
        if batch_size is not None and batch_size < 1:
            raise ValueError(f'SwAVQueueHook.batch_size must be positive, '
                             f'got {batch_size}.')
        self.batch_size = batch_size
        self.epoch_queue_starts = epoch_queue_starts
        self.iter_queue_starts = iter_queue_starts
        self.crops_for_assign = list(crops_for_assign)
        self.feat_dim = feat_dim
        self.queue_length = queue_length
        self.frozen_layers_cfg = dict(frozen_layers_cfg or {})
        self.queue: Optional[torch.Tensor] = None
        self._frozen: Dict[str, Optional[bool]] = {
            k: None for k in self.frozen_layers_cfg}
        self._snapshot: Optional[dict] = None
        self._per_rank_length = 0

    # ------------------------------------------------------------ set-up
    def _loss_module(self, runner):
        model = _unwrap(runner.model)
        loss = getattr(getattr(model, 'head', None), 'loss_module', None)
        if loss is None or not hasattr(loss, 'queue'):
            raise TypeError(
                f'SwAVQueueHook needs a SwAV model whose head has a '
                f'`loss_module` with a `queue` (mmpretrain SwAVHead + '
                f'SwAVLoss); got {type(model).__name__}. Remove the hook or '
                f'use type="SwAV".')
        return loss

    def before_run(self, runner) -> None:
        loss = self._loss_module(runner)  # fail early on a wrong model
        loss_crops = getattr(loss, 'crops_for_assign', None)
        if loss_crops is not None and list(loss_crops) != \
                self.crops_for_assign:
            raise ValueError(
                f'SwAVQueueHook.crops_for_assign={self.crops_for_assign} '
                f'differs from the loss ({list(loss_crops)}); set both to '
                f'the same list.')
        for name in self.frozen_layers_cfg:
            if not any(name in n for n, _ in
                       _unwrap(runner.model).named_parameters()):
                raise ValueError(
                    f'SwAVQueueHook.frozen_layers_cfg names "{name}", which '
                    f'matches no parameter of the model; use a substring of '
                    f'a parameter name such as "prototypes".')
        if self.queue_length == 0:
            return
        world_size = get_world_size()
        batch_size = self.batch_size or runner.train_dataloader.batch_size
        step = batch_size * world_size
        usable = self.queue_length - self.queue_length % step
        if usable <= 0:
            raise ValueError(
                f'SwAVQueueHook.queue_length={self.queue_length} is smaller '
                f'than one global batch ({batch_size} x {world_size} '
                f'processes = {step}); use a multiple of {step} or 0 to '
                f'disable the queue.')
        self._per_rank_length = usable // world_size

    def _queue_active(self, runner) -> bool:
        if self.queue_length == 0:
            return False
        if self.iter_queue_starts is not None:
            return runner.iter >= self.iter_queue_starts
        return runner.epoch >= self.epoch_queue_starts

    def _attach(self, runner, reset_use_queue: bool) -> None:
        loss = self._loss_module(runner)
        if self.queue is None and self._queue_active(runner):
            device = next(_unwrap(runner.model).parameters()).device
            self.queue = torch.zeros(len(self.crops_for_assign),
                                     self._per_rank_length, self.feat_dim,
                                     device=device)
        loss.queue = self.queue
        if reset_use_queue:
            # SwAVLoss switches it on once the queue is full.
            loss.use_queue = False

    def before_train_epoch(self, runner) -> None:
        self._attach(runner, reset_use_queue=True)

    def before_train_iter(self,
                          runner,
                          batch_idx: int,
                          data_batch: Optional[dict] = None) -> None:
        if self.queue is None:
            self._attach(runner, reset_use_queue=False)
        self._freeze(runner)

    def _freeze(self, runner) -> None:
        for name, frozen_iters in self.frozen_layers_cfg.items():
            frozen = runner.iter < frozen_iters
            if self._frozen[name] == frozen:
                continue
            for pname, param in _unwrap(runner.model).named_parameters():
                if name in pname:
                    param.requires_grad_(not frozen)
            self._frozen[name] = frozen

    # ------------------------------------------------------ checkpointing
    def _saves_after_iter(self, runner) -> bool:
        for hook in runner.hooks:
            if isinstance(hook, CheckpointHook) and not hook.by_epoch:
                if self.every_n_train_iters(runner, hook.interval,
                                            hook.save_begin) or (
                        hook.save_last and self.is_last_train_iter(runner)):
                    return True
        return False

    def _gather(self, runner) -> None:
        """All ranks: collect every rank's queue (collective)."""
        if self.queue is None:
            self._snapshot = None
            return
        queues: List[torch.Tensor] = all_gather(self.queue.detach())
        self._snapshot = dict(
            queues=torch.stack([q.cpu() for q in queues]),
            world_size=len(queues),
            iter=runner.iter)

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch: Optional[dict] = None,
                         outputs: Optional[dict] = None) -> None:
        if self.queue is not None and self._saves_after_iter(runner):
            self._gather(runner)

    def after_train_epoch(self, runner) -> None:
        if self.queue is not None:
            self._gather(runner)

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        """Rank 0 only: no collective here; store the gathered queues."""
        if self.queue is None:
            return
        if get_world_size() == 1:
            self._gather(runner)  # no communication with one process
        snapshot = self._snapshot
        if snapshot is None or snapshot['iter'] != runner.iter:
            print_log(
                f'SwAVQueueHook: a checkpoint is saved at iteration '
                f'{runner.iter}, where the per-rank queues were not gathered '
                f'(checkpoints are expected from CheckpointHook after an '
                f'iteration or epoch); the queues stored are from iteration '
                f'{None if snapshot is None else snapshot["iter"]}.',
                logger='current', level=logging.WARNING)
            if snapshot is None:
                return
        checkpoint[CKPT_KEY] = dict(snapshot)

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        """Every rank: take back this rank's queue."""
        state = checkpoint.get(CKPT_KEY)
        if state is None:
            return
        world_size, rank = get_world_size(), get_rank()
        queues = state['queues']
        if state['world_size'] != world_size or queues.shape[2:] != (
                self._per_rank_length, self.feat_dim):
            print_log(
                f'SwAVQueueHook: the checkpoint holds queues of shape '
                f'{tuple(queues.shape)} from {state["world_size"]} processes; '
                f'this run has {world_size} processes and '
                f'{self._per_rank_length} rows each. The queue restarts '
                f'empty; resume with the same number of processes to keep '
                f'it.', logger='current', level=logging.WARNING)
            return
        device = next(_unwrap(runner.model).parameters()).device
        self.queue = queues[rank].clone().to(device)
        self._loss_module(runner).queue = self.queue
