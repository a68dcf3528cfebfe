"""ResNetFeats with the CIFAR stem (3x3 conv, stride 1, no max-pool)."""
import torch.nn as nn
from mmcv.cnn import build_conv_layer, build_norm_layer
from mmpretrain.registry import MODELS

from .resnet_feats import ResNetFeats


@MODELS.register_module()
class ResNetFeats_CIFAR(ResNetFeats):
    """:class:`ResNetFeats` (feat1-feat5) for backbones pretrained as
    mmpretrain's ``ResNet_CIFAR``: the stem is a 3x3 stride-1 convolution
    and there is no max-pool, so small inputs (32 px) keep their resolution
    through the first stage.

    ``feat1`` is the stem output (after ReLU), ``feat2``-``feat5`` the four
    stages. Parameter names equal ``ResNet_CIFAR``'s, so a ``ResNet_CIFAR``
    backbone (e.g. the demo's SimCLR model) loads unchanged.

    Args:
        depth (int): 18, 34, 50, 101 or 152.
        **kwargs: the other arguments of :class:`ResNetFeats`.

    Shapes:
        input ``(N, 3, 32, 32)``; ResNet-18 with ``stem_channels=16,
        base_channels=16`` returns ``(N, 16, 32, 32)``, ``(N, 16, 32, 32)``,
        ``(N, 32, 16, 16)``, ``(N, 64, 8, 8)``, ``(N, 128, 4, 4)``.
    """

    def __init__(self, depth: int, **kwargs) -> None:
        if kwargs.get('deep_stem', False):
            raise ValueError('ResNetFeats_CIFAR has the CIFAR stem; '
                             'deep_stem=True is not supported (use '
                             'ResNetFeats for deep-stem backbones).')
        super().__init__(depth, **kwargs)
        # the CIFAR stem has no max-pool
        self.maxpool = nn.Identity()

    def _make_stem_layer(self, in_channels: int, stem_channels: int) -> None:
        self.conv1 = build_conv_layer(
            self.conv_cfg, in_channels, stem_channels, kernel_size=3,
            stride=1, padding=1, bias=False)
        self.norm1_name, norm1 = build_norm_layer(
            self.norm_cfg, stem_channels, postfix=1)
        self.add_module(self.norm1_name, norm1)
        self.relu = nn.ReLU(inplace=True)
