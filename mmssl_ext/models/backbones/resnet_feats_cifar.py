"""ResNetFeats with the CIFAR stem (3x3 conv, stride 1, no max-pool)."""
import torch.nn as nn
from mmpretrain.models.backbones import ResNet_CIFAR
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

    # the stem of mmpretrain's ResNet_CIFAR (same parameter names)
    _make_stem_layer = ResNet_CIFAR._make_stem_layer
