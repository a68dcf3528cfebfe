"""ResNet that also returns the stem output: MMSelfSup's feat1-feat5."""
from typing import Sequence, Tuple

import torch
from mmpretrain.models.backbones import ResNet
from mmpretrain.registry import MODELS

FEAT_NAMES = ('feat1', 'feat2', 'feat3', 'feat4', 'feat5')


def feat_indices(names: Sequence[str]) -> Tuple[int, ...]:
    """Map ``['feat1', 'feat5']`` to ``(0, 4)`` with a clear error."""
    bad = [n for n in names if n not in FEAT_NAMES]
    if bad or not names:
        raise ValueError(
            f'Unknown feature layer(s) {bad or list(names)}: a ResNet has '
            f'{list(FEAT_NAMES)} (feat1 = stem before max-pool, feat2-feat5 '
            f'= the four stages). Pass e.g. "feat5" or '
            f'"feat1 feat2 feat3 feat4 feat5".')
    return tuple(FEAT_NAMES.index(n) for n in names)


@MODELS.register_module()
class ResNetFeats(ResNet):
    """mmpretrain :class:`ResNet` with the five feature levels of the
    multi-head linear protocol (`Goyal et al. 2019
    <https://arxiv.org/abs/1905.01235>`_, as used by MMSelfSup).

    Index 0 (``feat1``) is the stem output after ReLU and *before* the
    max-pool; indices 1-4 (``feat2``-``feat5``) are the four residual stages.
    Parameter names are those of :class:`ResNet`, so any extracted ResNet
    backbone loads unchanged.

    Sobel (DeepCluster) backbones: set ``in_channels=2`` and use
    ``data_preprocessor=dict(type='SobelClsDataPreprocessor', ...)``.

    Args:
        depth (int): 18, 34, 50, 101 or 152.
        out_indices (Sequence[int]): levels to return, from 0 (stem) to 4.
            Defaults to ``(0, 1, 2, 3, 4)``.
        **kwargs: the other arguments of :class:`ResNet` (``frozen_stages``,
            ``norm_eval``, ``stem_channels``, ``base_channels``, ...).

    Shapes:
        input ``(N, 3, H, W)``; ResNet-50 at 224 px returns
        ``(N, 64, 112, 112)``, ``(N, 256, 56, 56)``, ``(N, 512, 28, 28)``,
        ``(N, 1024, 14, 14)``, ``(N, 2048, 7, 7)`` for indices 0-4.
    """

    def __init__(self,
                 depth: int,
                 out_indices: Sequence[int] = (0, 1, 2, 3, 4),
                 **kwargs) -> None:
        num_stages = kwargs.get('num_stages', 4)
        out_indices = tuple(out_indices)
        if not out_indices or any(
                not 0 <= i <= num_stages for i in out_indices):
            raise ValueError(
                f'out_indices {out_indices} out of range: use 0 (stem, '
                f'feat1) to {num_stages} (last stage).')
        super().__init__(depth, out_indices=(num_stages - 1, ), **kwargs)
        self.out_indices = out_indices

    def train(self, mode: bool = True) -> 'ResNetFeats':
        # mmpretrain's ResNet.train() returns None; keep nn.Module's contract
        # so that ``model.eval()`` chains.
        super().train(mode)
        return self

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        if self.deep_stem:
            x = self.stem(x)
        else:
            x = self.relu(self.norm1(self.conv1(x)))
        outs = [x] if 0 in self.out_indices else []   # feat1: pre max-pool
        x = self.maxpool(x)
        for i, layer_name in enumerate(self.res_layers):
            x = getattr(self, layer_name)(x)
            if i + 1 in self.out_indices:
                outs.append(x)
        return tuple(outs)
