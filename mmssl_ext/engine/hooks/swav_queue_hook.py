"""SwAV feature queue kept in the checkpoint, plus prototype freezing."""
import logging
from typing import Dict, List, Optional, Sequence

import torch
from mmengine.dist import all_gather, get_world_size
from mmengine.logging import print_log
from mmpretrain.registry import HOOKS
from mmpretrain.utils import get_ori_model

from .per_rank_state import PerRankStateHook
from mmssl_ext.utils.legacy_config import warn_legacy_runtime_keys


@HOOKS.register_module()
class SwAVQueueHook(PerRankStateHook):
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
    queue), ``world_size`` and ``iter``. Every rank's queue is all-gathered
    before rank 0 saves and each rank gets its own row back on load (see
    :class:`~mmssl_ext.engine.hooks.per_rank_state.PerRankStateHook`). A checkpoint written with a different world size
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

    ckpt_key = 'swav_queue'
    priority = 'VERY_HIGH'

    def __init__(self,
                 batch_size: Optional[int] = None,
                 epoch_queue_starts: int = 15,
                 iter_queue_starts: Optional[int] = None,
                 crops_for_assign: Sequence[int] = (0, 1),
                 feat_dim: int = 128,
                 queue_length: int = 0,
                 frozen_layers_cfg: Optional[Dict[str, int]] = None) -> None:
        super().__init__()
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
        self._per_rank_length = 0

    # ------------------------------------------------------------ set-up
    def _loss_module(self, runner):
        model = get_ori_model(runner.model)
        loss = getattr(getattr(model, 'head', None), 'loss_module', None)
        if loss is None or not hasattr(loss, 'queue'):
            raise TypeError(
                f'SwAVQueueHook needs a SwAV model whose head has a '
                f'`loss_module` with a `queue` (mmpretrain SwAVHead + '
                f'SwAVLoss); got {type(model).__name__}. Remove the hook or '
                f'use type="SwAV".')
        return loss

    def before_run(self, runner) -> None:
        warn_legacy_runtime_keys(runner)  # 0.x keys mmengine ignores
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
                       get_ori_model(runner.model).named_parameters()):
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
            device = next(get_ori_model(runner.model).parameters()).device
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
            for pname, param in get_ori_model(runner.model).named_parameters():
                if name in pname:
                    param.requires_grad_(not frozen)
            self._frozen[name] = frozen

    # ------------------------------------------------------ checkpointing
    def local_state(self, runner) -> Optional[torch.Tensor]:
        return None if self.queue is None else self.queue.detach()

    def gather_states(self, state: torch.Tensor) -> List[torch.Tensor]:
        return all_gather(state)  # tensors: no pickling, any device

    def pack_states(self, states: List[torch.Tensor]) -> dict:
        return dict(queues=torch.stack([q.cpu() for q in states]))

    def unpack_states(self, saved: dict) -> List[torch.Tensor]:
        return list(saved['queues'])

    def load_state(self, runner, state: Optional[torch.Tensor],
                   saved_world_size: int) -> None:
        """Every rank: take back this rank's queue."""
        if state is None or state.shape[1:] != (self._per_rank_length,
                                                self.feat_dim):
            shape = None if state is None else tuple(state.shape)
            print_log(
                f'SwAVQueueHook: the checkpoint holds queues from '
                f'{saved_world_size} processes (this rank\'s: {shape}); this '
                f'run has {get_world_size()} processes and '
                f'{self._per_rank_length} rows each. The queue restarts '
                f'empty; resume with the same number of processes to keep '
                f'it.', logger='current', level=logging.WARNING)
            return
        device = next(get_ori_model(runner.model).parameters()).device
        self.queue = state.clone().to(device)
        self._loss_module(runner).queue = self.queue
