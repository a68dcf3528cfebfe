"""Projection neck of ODC (https://arxiv.org/abs/2006.10645)."""
from typing import Optional, Sequence, Tuple

import torch
import torch.nn as nn
from mmcv.cnn import build_norm_layer
from mmengine.model import BaseModule

from mmpretrain.registry import MODELS


@MODELS.register_module()
class ODCNeck(BaseModule):
    """Global average pool + two-layer MLP ending in a ReLU.

    ``x -> avgpool -> fc(in, hid) -> BN -> ReLU -> Dropout -> fc(hid, out)
    -> ReLU``, as MMSelfSup's ODCNeck (0.x and 1.x): the BN has no affine
    parameters and momentum 0.001, and the output (the feature that enters
    the ODC memory) is non-negative. On ResNet-50 the sizes are
    2048 -> 512 -> 256.

    Args:
        in_channels (int): input channels (backbone output).
        hid_channels (int): hidden width.
        out_channels (int): output width (= ODCMemory ``feat_dim``).
        with_avg_pool (bool): pool a ``(N, C, H, W)`` input to ``(N, C)``.
            Defaults to True.
        dropout (float): dropout probability after the hidden layer.
            Defaults to 0.5.
        norm_cfg (dict): normalisation layer config; use ``SyncBN`` on GPUs.
            Defaults to ``dict(type='BN1d')``.
        init_cfg (dict | list[dict], optional): initialisation config.
            Defaults to constant 1 for norm layers only: the Linear layers
            keep PyTorch's default initialisation, as in MMSelfSup.

    Shapes:
        input: tuple whose last item is ``(N, in_channels, H, W)`` (or
        ``(N, in_channels)`` when ``with_avg_pool=False``);
        output: ``((N, out_channels),)``.
    """

    def __init__(self,
                 in_channels: int,
                 hid_channels: int,
                 out_channels: int,
                 with_avg_pool: bool = True,
                 dropout: float = 0.5,
                 norm_cfg: dict = dict(type='BN1d'),
                 init_cfg: Optional[dict] = [
                     dict(type='Constant', val=1,
                          layer=['_BatchNorm', 'GroupNorm'])
                 ]) -> None:
        super().__init__(init_cfg=init_cfg)
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.with_avg_pool = with_avg_pool
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc0 = nn.Linear(in_channels, hid_channels)
        self.bn0 = build_norm_layer(
            dict(**norm_cfg, momentum=0.001, affine=False), hid_channels)[1]
        self.relu = nn.ReLU(inplace=True)
        self.dropout = nn.Dropout(p=dropout)
        self.fc1 = nn.Linear(hid_channels, out_channels)

    def forward(self, x: Sequence[torch.Tensor]) -> Tuple[torch.Tensor]:
        x = x[-1]
        if self.with_avg_pool:
            x = self.avgpool(x)
        x = x.flatten(1)  # (N, C)
        if x.shape[1] != self.in_channels:
            raise ValueError(
                f'ODCNeck expects {self.in_channels} input channels, got '
                f'{x.shape[1]}: set `in_channels` to the backbone output '
                f'width.')
        x = self.dropout(self.relu(self.bn0(self.fc0(x))))  # (N, hid)
        return (self.relu(self.fc1(x)), )  # (N, out), >= 0
