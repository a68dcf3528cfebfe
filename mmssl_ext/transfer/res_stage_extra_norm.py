"""The res5 shared RoI head of C4 detectors, followed by an extra norm.

The C4 protocol of MoCo (https://arxiv.org/abs/1911.05722, detectron2's
``Res5ROIHeadsExtraNorm``), used by the seeds' Faster R-CNN R50-C4 VOC07+12
benchmark: the last ResNet stage runs on each RoI and its output is
normalised once more, so that a backbone trained with BN statistics of its own
does not feed unnormalised features to the box head. The stage's weights come
from the pretrained backbone (keys ``layer4.*``, the same names as in
mmpretrain / mmdet ResNets); the extra norm starts at identity.
"""
from typing import Optional, Sequence, Union

import torch
import torch.nn as nn
from mmcv.cnn import build_norm_layer
from mmengine.model import BaseModule
from mmpretrain.models.backbones.resnet import ResLayer, ResNet, get_expansion

try:
    from mmdet.registry import MODELS
except ImportError as exc:  # pragma: no cover - depends on the install
    raise ImportError(
        'mmssl_ext.transfer registers into mmdet: `pip install '
        '"mmssl_ext[transfer]"` (mmdet 3.3, mmsegmentation 1.2), then '
        '`make mmcv-full` for mmcv\'s compiled ops.') from exc


@MODELS.register_module()
class ResStageExtraNorm(BaseModule):
    """One ResNet stage as an mmdet shared head, plus a norm on its output.

    Like mmpretrain's ``ResLayerExtraNorm`` (which subclasses mmdet's
    ``ResLayer`` and so needs mmcv's compiled ops just to be imported and
    fixes the width at 64), but the widths follow ``base_channels`` (so narrow
    test backbones work), importing it needs no ops, and the blocks are
    mmpretrain's, whose parameter names match extracted backbone weights.

    Args:
        depth (int): ResNet depth (18, 34, 50, 101, 152).
        stage (int): index of the stage, 0-based; 3 is res5. Defaults to 3.
        stride (int): stride of the stage's first block. Defaults to 2.
        dilation (int): dilation of the stage. Defaults to 1.
        style (str): ``'pytorch'`` (stride on the 3x3 conv) or ``'caffe'``
            (stride on the first 1x1). Defaults to ``'pytorch'``.
        base_channels (int): width of the backbone's first stage.
            Defaults to 64.
        norm_cfg (dict): norm layers, including the extra one.
            Defaults to ``dict(type='BN', requires_grad=True)``.
        norm_eval (bool): keep BN layers in eval mode while training.
            Defaults to False.
        with_cp (bool): gradient checkpointing. Defaults to False.
        init_cfg (dict | list[dict], optional): e.g.
            ``dict(type='Pretrained', checkpoint=PRETRAIN)``. Defaults to
            Kaiming convs and unit norms.

    Shapes:
        input (N, C_in, H, W) with ``C_in = base_channels * 2**(stage-1) *
        expansion``; output (N, 2 * C_in, H / stride, W / stride).
    """

    #: State-dict prefixes with no counterpart in a pretrained backbone (the
    #: pre-flight check of the launchers does not look for them in PRETRAIN).
    NEW_PARAMETER_PREFIXES = ('norm.', )

    def __init__(self,
                 depth: int,
                 stage: int = 3,
                 stride: int = 2,
                 dilation: int = 1,
                 style: str = 'pytorch',
                 base_channels: int = 64,
                 norm_cfg: dict = dict(type='BN', requires_grad=True),
                 norm_eval: bool = False,
                 with_cp: bool = False,
                 init_cfg: Optional[Union[dict, Sequence[dict]]] = None):
        if init_cfg is None:
            init_cfg = [dict(type='Kaiming', layer='Conv2d'),
                        dict(type='Constant', val=1,
                             layer=['_BatchNorm', 'GroupNorm'])]
        super().__init__(init_cfg)
        if depth not in ResNet.arch_settings:
            raise ValueError(f'ResStageExtraNorm: depth {depth} is not a '
                             f'ResNet depth; use one of '
                             f'{sorted(ResNet.arch_settings)}.')
        block, stage_blocks = ResNet.arch_settings[depth]
        if not 0 < stage < len(stage_blocks):
            raise ValueError(f'ResStageExtraNorm: stage {stage} is out of '
                             f'range; use 1..{len(stage_blocks) - 1} '
                             f'(3 = res5).')
        expansion = get_expansion(block)
        in_channels = base_channels * 2**(stage - 1) * expansion
        out_channels = base_channels * 2**stage * expansion
        self.stage = stage
        self.norm_eval = norm_eval
        layer = ResLayer(block, stage_blocks[stage], in_channels, out_channels,
                         stride=stride, dilation=dilation, style=style,
                         with_cp=with_cp, norm_cfg=norm_cfg)
        # Same attribute name as in a ResNet, so `layer4.*` weights load.
        self.add_module(f'layer{stage + 1}', layer)
        self.norm = build_norm_layer(norm_cfg, out_channels)[1]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """RoI features (N, C_in, h, w) -> normalised stage output."""
        x = getattr(self, f'layer{self.stage + 1}')(x)
        return self.norm(x)

    def train(self, mode: bool = True) -> 'ResStageExtraNorm':
        """Set train mode; BN layers stay in eval mode if ``norm_eval``."""
        super().train(mode)
        if mode and self.norm_eval:
            for m in self.modules():
                if isinstance(m, nn.modules.batchnorm._BatchNorm):
                    m.eval()
        return self
