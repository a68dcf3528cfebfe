"""Fuse the features of a (neighbour, centre) patch pair (RelativeLoc)."""
from typing import Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
from mmcv.cnn import build_norm_layer
from mmengine.model import BaseModule
from mmpretrain.registry import MODELS


@MODELS.register_module()
class RelativeLocNeck(BaseModule):
    """Concatenate the pair's features, then fc -> BN -> ReLU -> dropout.

    :class:`RelativeLoc` stacks the backbone features of the neighbours and
    of the centres as ``[neighbours; centres]`` (``2M`` rows); this neck
    pools, splits the batch back into the two halves and concatenates them
    channel-wise in that order (MMSelfSup's ``cat((neighbour, centre))``),
    as in `Context Prediction <https://arxiv.org/abs/1505.05192>`_'s late
    fusion.

    Args:
        in_channels (int): Backbone channels ``C``.
        out_channels (int): Fused feature size. Defaults to 4096.
        with_avg_pool (bool): Global-average-pool 4-D features.
            Defaults to True.
        dropout (float): Dropout probability. Defaults to 0.5.
        norm_cfg (dict): Norm after the fc. Defaults to
            ``dict(type='BN1d', momentum=0.003)``.
        init_cfg (dict, optional): Defaults to a normal init of the fc
            (std 0.01) and constant BN.

    Shapes: input ``(2M, C[, H, W])`` (or a tuple whose last item is that);
    output ``((M, out_channels),)``.
    """

    def __init__(self,
                 in_channels: int,
                 out_channels: int = 4096,
                 with_avg_pool: bool = True,
                 dropout: float = 0.5,
                 norm_cfg: dict = dict(type='BN1d', momentum=0.003),
                 init_cfg: Optional[Union[dict, list]] = [
                     dict(type='Normal', std=0.01, layer='Linear'),
                     dict(type='Constant', val=1,
                          layer=['_BatchNorm', 'GroupNorm'])
                 ]) -> None:
        super().__init__(init_cfg=init_cfg)
        self.with_avg_pool = with_avg_pool
        self.fc = nn.Linear(in_channels * 2, out_channels)
        self.norm = build_norm_layer(norm_cfg, out_channels)[1]
        self.act = nn.ReLU(inplace=True)
        self.drop = nn.Dropout(p=dropout)

    def forward(self, feats: Union[torch.Tensor, Sequence[torch.Tensor]]
                ) -> Tuple[torch.Tensor]:
        x = feats[-1] if isinstance(feats, (tuple, list)) else feats
        if self.with_avg_pool and x.dim() == 4:
            x = x.mean(dim=(2, 3))
        x = x.flatten(1)
        if x.size(0) % 2:
            raise ValueError(
                f'RelativeLocNeck needs an even batch of [neighbours; '
                f'centres], got {x.size(0)} rows; use '
                f'RelativeLocDataPreprocessor.')
        first, second = x.chunk(2, dim=0)  # neighbours, centres
        x = torch.cat([first, second], dim=1)  # (M, 2C)
        return (self.drop(self.act(self.norm(self.fc(x)))), )
