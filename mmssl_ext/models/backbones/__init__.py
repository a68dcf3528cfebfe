from .resnet_feats import ResNetFeats  # noqa: F401
from .resnet_feats_cifar import ResNetFeats_CIFAR  # noqa: F401
