"""Save and restore every rank's random number generators for exact resume."""
import logging
from typing import Any, Optional

from mmengine.logging import print_log
from mmengine.runner import IterBasedTrainLoop
from mmpretrain.registry import HOOKS

from mmssl_ext.utils.rng import (get_rng_state,  # noqa: F401
                                 preserved_rng_state, set_rng_state)
from mmssl_ext.utils.legacy_config import warn_legacy_runtime_keys
from .per_rank_state import PerRankStateHook


class _RestoreAfterSkip:
    """Iterator proxy: the first ``skip`` batches come through unchanged
    (mmengine's IterBasedTrainLoop re-draws them to advance the data after a
    resume), then the generators are restored before the next batch.
    ``skip_iter`` (OneDL mmengine's sampler-level advance, which draws no
    data) counts as skipped batches."""

    def __init__(self, iterator, skip: int, state: dict) -> None:
        self._iterator = iterator
        self._skip = skip
        self._state: Optional[dict] = state

    def __iter__(self):
        return self

    def __next__(self):
        if self._skip > 0:
            self._skip -= 1
        elif self._state is not None:
            set_rng_state(self._state)
            self._state = None
        return next(self._iterator)

    def skip_iter(self, num: int) -> None:
        self._iterator.skip_iter(num)
        self._skip = max(self._skip - num, 0)

    def __getattr__(self, name):
        return getattr(self._iterator, name)


@HOOKS.register_module()
class RNGStateHook(PerRankStateHook):
    """Checkpoint every rank's random generators so that resume is exact.

    mmengine 0.10 restores only the seed on resume: the resumed run then
    draws other augmentation parameters, dropout masks and NPID negatives
    than the uninterrupted run would have. This hook saves the state of
    Python's ``random``, numpy's global generator, torch's CPU generator and
    every CUDA generator of each rank (gathered to rank 0 before the save,
    see :class:`PerRankStateHook`) under ``checkpoint['rng_state']`` and gives
    each rank its own back right before training continues. A checkpoint
    from another number of processes cannot be split: the generators then
    keep the seeds mmengine set (warning).

    What is exact: with ``num_workers=0`` a resumed run continues with the
    same random numbers as the uninterrupted run, in epoch-based loops and
    in iteration-based loops (mmengine re-draws the batches it skips; the
    generators are restored after that). With DataLoader workers, the random
    numbers of the transforms live in the worker processes: mmengine seeds
    them identically at the start of every epoch when
    ``persistent_workers=False``, so a resume at an epoch boundary is exact
    too, but not with ``persistent_workers=True`` or mid-epoch.

    Our pretraining configs have it (``configs/_base_/default_runtime.py``);
    a config built on mmpretrain's runtime adds it as an extra default hook,
    which a child config replacing ``custom_hooks`` keeps::

        default_hooks = dict(rng_state=dict(type='RNGStateHook'))

    (not also in ``custom_hooks``: that would register it twice).
    """

    ckpt_key = 'rng_state'
    priority = 'VERY_HIGH'

    def __init__(self) -> None:
        super().__init__()
        self._pending: Optional[dict] = None

    def before_run(self, runner) -> None:
        warn_legacy_runtime_keys(runner)  # 0.x keys mmengine ignores

    def local_state(self, runner) -> Any:
        return get_rng_state()

    def load_state(self, runner, state: Any, saved_world_size: int) -> None:
        if state is None:
            print_log(
                f'RNGStateHook: the checkpoint holds the random generator '
                f'states of {saved_world_size} processes, this run has '
                f'another number: generators keep the seeds mmengine set, so '
                f'random augmentations differ from an uninterrupted run.',
                logger='current', level=logging.WARNING)
            return
        # mmengine may re-seed after loading; apply right before training.
        self._pending = state

    def before_train(self, runner) -> None:
        if self._pending is None:
            return
        state, self._pending = self._pending, None
        loop = runner.train_loop
        if isinstance(loop, IterBasedTrainLoop) and loop.iter > 0:
            # IterBasedTrainLoop.run() advances the data by drawing
            # loop.iter batches after before_train: restore after those
            # (OneDL's loop may skip none: fast_forward_on_resume).
            skip = 0 if getattr(loop, 'fast_forward_on_resume',
                                False) else loop.iter
            loop.dataloader_iterator = _RestoreAfterSkip(
                loop.dataloader_iterator, skip, state)
        else:
            set_rng_state(state)
