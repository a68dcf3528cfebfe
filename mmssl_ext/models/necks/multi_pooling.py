"""Average-pool each feature map to its own fixed size (multi-head eval)."""
from typing import Sequence, Tuple

import torch
import torch.nn as nn
from mmengine.model import BaseModule
from mmpretrain.registry import MODELS

#: MMSelfSup's sizes for ResNet-50 at 224 px: feature dims
#: 64*12^2, 256*6^2, 512*4^2, 1024*3^2, 2048*2^2 = 9216/9216/8192/9216/8192.
RESNET50_POOL_SIZES = (12, 6, 4, 3, 2)


@MODELS.register_module()
class MultiPooling(BaseModule):
    """Adaptive average pooling of several feature maps to fixed sizes.

    Part of the multi-head linear protocol (`Goyal et al. 2019
    <https://arxiv.org/abs/1905.01235>`_): each backbone level is pooled so
    that all levels have a comparable dimension (~9k for ResNet-50).

    Args:
        pool_sizes (Sequence[int]): output side per input feature.
            Defaults to ``(12, 6, 4, 3, 2)`` (ResNet-50, 224 px, feat1-feat5).
        in_indices (Sequence[int], optional): which backbone outputs to
            pool; ``None`` pools all of them (their number must then equal
            ``len(pool_sizes)``). Defaults to None.

    Shapes:
        input: tuple of ``(N, C_i, H_i, W_i)``; output: tuple of
        ``(N, C_i, s_i, s_i)``.
    """

    def __init__(self,
                 pool_sizes: Sequence[int] = RESNET50_POOL_SIZES,
                 in_indices: Sequence[int] = None,
                 init_cfg=None) -> None:
        super().__init__(init_cfg)
        self.pool_sizes = tuple(int(s) for s in pool_sizes)
        self.in_indices = None if in_indices is None else tuple(in_indices)
        if self.in_indices is not None and len(self.in_indices) != len(
                self.pool_sizes):
            raise ValueError(
                f'{len(self.in_indices)} in_indices but '
                f'{len(self.pool_sizes)} pool_sizes: give one pool size per '
                f'selected feature.')
        self.pools = nn.ModuleList(
            nn.AdaptiveAvgPool2d(s) for s in self.pool_sizes)

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
        return tuple(pool(f) for pool, f in zip(self.pools, feats))
