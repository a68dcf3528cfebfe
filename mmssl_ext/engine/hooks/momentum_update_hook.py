"""Schedule the EMA momentum of momentum encoders (MoCo, NPID-style
targets, ...)."""
import math
from typing import List, Optional, Tuple

from mmengine.hooks import Hook
from mmengine.model import ExponentialMovingAverage
from mmengine.runner import EpochBasedTrainLoop
from mmpretrain.models.utils import CosineEMA
from mmpretrain.registry import HOOKS
from mmpretrain.utils import get_ori_model

from mmssl_ext.engine.hooks.mmselfsup_args import (accepts_mmselfsup_args,
                                                   renamed)
from mmssl_ext.utils.legacy_config import warn_legacy_runtime_keys

SCHEDULES = ('cosine', 'linear', 'constant')


@HOOKS.register_module()
class MomentumUpdateHook(Hook):
    """Anneal the momentum of every EMA (momentum) encoder in the model.

    Schedules are written in terms of :math:`\\tau`, the weight of the *old*
    target weights (BYOL's :math:`\\tau`, MoCo's :math:`m`, MMSelfSup's
    ``momentum``): :math:`\\xi \\leftarrow \\tau \\xi + (1 - \\tau) \\theta`.
    mmpretrain/mmengine's EMA ``momentum`` is the *other* weight,
    :math:`1 - \\tau`; the hook converts. With progress
    :math:`p = k / K` (iterations, or epochs with ``by_epoch=True``):

    * ``'cosine'`` (`BYOL <https://arxiv.org/abs/2006.07733>`_):
      :math:`\\tau = \\tau_{end} - (\\tau_{end} - \\tau_{start})
      (\\cos(\\pi p) + 1) / 2`
    * ``'linear'``: :math:`\\tau = \\tau_{start} + (\\tau_{end} -
      \\tau_{start}) p`
    * ``'constant'``: :math:`\\tau = \\tau_{start}`.

    The value for step ``k`` is set before step ``k`` runs and logged as
    ``ema_tau`` (shown by ``LoggerHook`` every ``interval``). Progress is
    measured in epochs (``epoch + batch_idx / iterations per epoch``) in
    epoch-based loops and as ``iter / max_iters`` in iteration-based loops,
    so it is a pure function of what checkpoints restore and does not depend
    on the number of processes: a run resumed with another world size
    continues the schedule where it stopped.

    Models whose EMA already anneals (mmpretrain's :class:`CosineEMA` in BYOL
    and MoCoV3, every step) are refused unless ``take_over_builtin=True``:
    then the hook drives the momentum itself and disables the built-in
    annealing (it sets ``end_momentum = momentum`` every step, which makes
    ``CosineEMA`` constant within the step).

    Example (MoCo v2, tau 0.999 -> 1 by cosine over the run)::

        custom_hooks = [dict(type='MomentumUpdateHook', end_tau=1.0)]

    Args:
        end_tau (float): Final :math:`\\tau`. Defaults to 1.0.
        start_tau (float, optional): Initial :math:`\\tau`; None reads it from
            the model (``1 - ema.momentum``). Defaults to None.
        schedule (str): ``'cosine'``, ``'linear'`` or ``'constant'``.
            Defaults to 'cosine'.
        by_epoch (bool): Step the schedule per epoch instead of per
            iteration. Defaults to False.
        take_over_builtin (bool): Drive a ``CosineEMA`` instead of refusing
            it. Defaults to False.
        update_interval (int): MMSelfSup's EMA update interval; only 1 is
            supported (mmpretrain's momentum encoders update every step).
            Defaults to 1.

    MMSelfSup's ``end_momentum`` (its ``momentum`` is :math:`\\tau`) is
    accepted as ``end_tau`` with a deprecation warning; giving both is an
    error.
    """

    priority = 'ABOVE_NORMAL'

    @accepts_mmselfsup_args({'end_momentum': renamed('end_tau')})
    def __init__(self,
                 end_tau: float = 1.0,
                 start_tau: Optional[float] = None,
                 schedule: str = 'cosine',
                 by_epoch: bool = False,
                 take_over_builtin: bool = False,
                 update_interval: int = 1) -> None:
        if update_interval != 1:
            raise ValueError(
                f'MomentumUpdateHook(update_interval={update_interval}): '
                f"MMSelfSup's update interval cannot be honoured, "
                f"mmpretrain's momentum encoders update at every forward; "
                f'remove the key. With gradient accumulation over k '
                f'forwards, k moves with tau ** (1 / k) equal one with tau: '
                f'tools/misc/migrate_mmselfsup_config.py writes that '
                f'momentum and optim_wrapper.accumulative_counts=k.')
        if schedule not in SCHEDULES:
            raise ValueError(f'MomentumUpdateHook: unknown schedule '
                             f'{schedule!r}; use one of {SCHEDULES}.')
        for name, value in (('end_tau', end_tau), ('start_tau', start_tau)):
            if value is not None and not 0.0 <= value <= 1.0:
                raise ValueError(
                    f'MomentumUpdateHook.{name}={value} is outside [0, 1]: '
                    f'tau is the weight of the old target weights (e.g. '
                    f'0.99); mmpretrain\'s EMA momentum is 1 - tau.')
        self.end_tau = end_tau
        self.start_tau = start_tau
        self.schedule = schedule
        self.by_epoch = by_epoch
        self.take_over_builtin = take_over_builtin
        self._emas: List[Tuple[str, ExponentialMovingAverage]] = []
        self._start_tau: Optional[float] = start_tau

    def before_run(self, runner) -> None:
        warn_legacy_runtime_keys(runner)  # 0.x keys mmengine ignores
        model = get_ori_model(runner.model)
        self._emas = [(name, m) for name, m in model.named_modules()
                      if isinstance(m, ExponentialMovingAverage)]
        if not self._emas:
            raise TypeError(
                f'MomentumUpdateHook found no momentum encoder '
                f'(mmengine ExponentialMovingAverage) in '
                f'{type(model).__name__}; remove the hook from custom_hooks.')
        builtin = [name for name, m in self._emas
                   if isinstance(m, CosineEMA)]
        if builtin and not self.take_over_builtin:
            raise ValueError(
                f'MomentumUpdateHook: {type(model).__name__}.'
                f'{", ".join(builtin)} is a CosineEMA, which already anneals '
                f'its momentum every step (BYOL, MoCoV3). Remove '
                f'MomentumUpdateHook to keep that schedule, or set '
                f'take_over_builtin=True to let the hook drive it instead.')
        if self._start_tau is None:
            taus = {round(1.0 - m.momentum, 12) for _, m in self._emas}
            if len(taus) > 1:
                raise ValueError(
                    f'MomentumUpdateHook: the EMA modules have different '
                    f'momenta {sorted(taus)}; set start_tau explicitly.')
            self._start_tau = taus.pop()

    def tau(self, step: int, total: int) -> float:
        """:math:`\\tau` at ``step`` of ``total``."""
        start, end = self._start_tau, self.end_tau
        progress = min(max(step / max(total, 1), 0.0), 1.0)
        if self.schedule == 'cosine':
            return end - (end - start) * (math.cos(math.pi * progress) +
                                          1) / 2
        if self.schedule == 'linear':
            return start + (end - start) * progress
        return start

    def _apply(self, runner, step: int, total: int) -> None:
        tau = self.tau(step, total)
        for _, ema in self._emas:
            ema.momentum = 1.0 - tau
            if isinstance(ema, CosineEMA):
                ema.end_momentum = 1.0 - tau
        runner.message_hub.update_scalar('train/ema_tau', tau)

    def before_train_epoch(self, runner) -> None:
        if self.by_epoch:
            self._apply(runner, runner.epoch, runner.max_epochs)

    def before_train_iter(self,
                          runner,
                          batch_idx: int,
                          data_batch: Optional[dict] = None) -> None:
        if self.by_epoch:
            runner.message_hub.update_scalar('train/ema_tau',
                                             1.0 - self._emas[0][1].momentum)
        elif isinstance(runner.train_loop, EpochBasedTrainLoop):
            # Progress in epochs, not iterations: ``runner.iter`` comes from
            # the checkpoint while ``max_iters`` is recomputed from the
            # current dataloader, so after resuming with another number of
            # processes their ratio would jump. ``batch_idx / len(loader)``
            # is the fraction of this epoch in either case.
            per_epoch = max(len(runner.train_dataloader), 1)
            self._apply(runner, runner.epoch * per_epoch + batch_idx,
                        runner.max_epochs * per_epoch)
        else:
            # Iteration-based loops fix max_iters in the config: iter /
            # max_iters does not depend on the process count.
            self._apply(runner, runner.iter, runner.max_iters)
