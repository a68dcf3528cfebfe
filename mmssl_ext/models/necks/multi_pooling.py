"""Average-pool each feature map to its own size (multi-head eval, SVM)."""
from typing import Dict, Optional, Sequence, Tuple

import torch
import torch.nn as nn
from mmengine.model import BaseModule
from mmpretrain.registry import MODELS

#: MMSelfSup's pooled sides for ResNet-50 at 224 px, feat1-feat5: feature
#: dims 64*12^2, 256*6^2, 512*4^2, 1024*3^2, 2048*2^2 =
#: 9216/9216/8192/9216/8192.
RESNET50_POOL_SIZES = (12, 6, 4, 3, 2)

#: MMSelfSup's fixed ``AvgPool2d`` per level ("specified" pooling) for
#: ResNet-50 at 224 px: maps of side 112/56/28/14/7 become 12/6/4/3/2.
#: ``count_include_pad`` keeps torch's default (True): the zero padding of
#: feat1 counts in the border averages.
RESNET50_POOL_PARAMS = (
    dict(kernel_size=10, stride=10, padding=4),
    dict(kernel_size=16, stride=8, padding=0),
    dict(kernel_size=13, stride=5, padding=0),
    dict(kernel_size=8, stride=3, padding=0),
    dict(kernel_size=6, stride=1, padding=0),
)

POOL_TYPES = ('specified', 'adaptive')


@MODELS.register_module()
class MultiPooling(BaseModule):
    """Average pooling of several feature maps, each to its own size.

    Part of the multi-head linear protocol (`Goyal et al. 2019
    <https://arxiv.org/abs/1905.01235>`_) and of the VOC07 SVM features:
    each backbone level is pooled so that all levels have a comparable
    dimension (~9k for ResNet-50).

    Two modes, as in MMSelfSup:

    - ``'specified'`` (default, what MMSelfSup's multi-head configs and its
      SVM feature extraction use): one fixed ``nn.AvgPool2d`` per level,
      by default :data:`RESNET50_POOL_PARAMS` (ResNet-50 maps of a 224 px
      input). The output side is checked against ``pool_sizes``: another
      backbone or input size needs its own ``pool_params`` or
      ``pool_type='adaptive'``.
    - ``'adaptive'``: ``nn.AdaptiveAvgPool2d(pool_sizes[i])``, for any input
      size (used by our 32 px CPU siblings). At 224 px it gives the same
      sizes as ``'specified'`` but different values (other windows).

    Args:
        pool_type (str): ``'specified'`` or ``'adaptive'``.
            Defaults to ``'specified'``.
        pool_sizes (Sequence[int]): output side per pooled feature.
            Defaults to ``(12, 6, 4, 3, 2)`` (ResNet-50, 224 px, feat1-feat5).
        pool_params (Sequence[dict], optional): ``nn.AvgPool2d`` arguments
            per pooled feature for ``'specified'``. ``None`` means
            :data:`RESNET50_POOL_PARAMS`, which needs the default
            ``pool_sizes``. Defaults to None.
        in_indices (Sequence[int], optional): which inputs to pool; ``None``
            pools all of them (their number must then equal
            ``len(pool_sizes)``). Defaults to None.

    Shapes:
        input: tuple of ``(N, C_i, H_i, W_i)``; output: tuple of
        ``(N, C_i, s_i, s_i)`` with ``s_i = pool_sizes[i]``.
    """

    def __init__(self,
                 pool_type: str = 'specified',
                 pool_sizes: Sequence[int] = RESNET50_POOL_SIZES,
                 pool_params: Optional[Sequence[Dict]] = None,
                 in_indices: Optional[Sequence[int]] = None,
                 init_cfg=None) -> None:
        super().__init__(init_cfg)
        if pool_type not in POOL_TYPES:
            raise ValueError(f'pool_type={pool_type!r}: use one of '
                             f'{POOL_TYPES}.')
        self.pool_type = pool_type
        self.pool_sizes = tuple(int(s) for s in pool_sizes)
        self.in_indices = None if in_indices is None else tuple(in_indices)
        if self.in_indices is not None and len(self.in_indices) != len(
                self.pool_sizes):
            raise ValueError(
                f'{len(self.in_indices)} in_indices but '
                f'{len(self.pool_sizes)} pool_sizes: give one pool size per '
                f'selected feature.')
        if pool_type == 'adaptive':
            if pool_params is not None:
                raise ValueError('pool_params are the fixed kernels of '
                                 "pool_type='specified'; drop them or use "
                                 "pool_type='specified'.")
            self.pools = nn.ModuleList(
                nn.AdaptiveAvgPool2d(s) for s in self.pool_sizes)
            return
        if pool_params is None:
            if self.pool_sizes != RESNET50_POOL_SIZES:
                raise ValueError(
                    f"pool_type='specified' without pool_params uses "
                    f"MMSelfSup's kernels for ResNet-50 at 224 px, whose "
                    f'pooled sizes are {RESNET50_POOL_SIZES}, but pool_sizes '
                    f'is {self.pool_sizes}. Give pool_params (one AvgPool2d '
                    f"dict per feature) or use pool_type='adaptive'.")
            pool_params = RESNET50_POOL_PARAMS
        if len(pool_params) != len(self.pool_sizes):
            raise ValueError(
                f'{len(pool_params)} pool_params but {len(self.pool_sizes)} '
                f'pool_sizes: give one of each per pooled feature.')
        self.pools = nn.ModuleList(nn.AvgPool2d(**p) for p in pool_params)

    def forward(self, inputs: Sequence[torch.Tensor]
                ) -> Tuple[torch.Tensor, ...]:
        feats = list(inputs)
        if self.in_indices is not None:
            feats = [feats[i] for i in self.in_indices]
        if len(feats) != len(self.pools):
            raise ValueError(
                f'MultiPooling got {len(feats)} feature maps but has '
                f'{len(self.pools)} pool sizes: make the backbone '
                f'out_indices and pool_sizes the same length.')
        outs = []
        for i, (pool, feat, size) in enumerate(
                zip(self.pools, feats, self.pool_sizes)):
            try:
                out = pool(feat)
            except RuntimeError as exc:  # window larger than the map
                raise self._size_error(i, feat, None) from exc
            if out.shape[-2:] != (size, size):
                raise self._size_error(i, feat, out)
            outs.append(out)
        return tuple(outs)

    def _size_error(self, i: int, feat: torch.Tensor,
                    out: Optional[torch.Tensor]) -> ValueError:
        got = 'nothing' if out is None else tuple(out.shape[-2:])
        size = self.pool_sizes[i]
        return ValueError(
            f'Pooled feature {i} is {got} instead of {(size, size)}: the '
            f'{self.pool_type} pooling {self.pools[i]} was made for other map '
            f'sizes (input map {tuple(feat.shape[-2:])}). MMSelfSup\'s '
            f"'specified' kernels need ResNet-50 at 224 px; for other inputs "
            f"use pool_type='adaptive'.")
