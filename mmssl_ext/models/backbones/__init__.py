from .resnet_feats import ResNetFeats  # noqa: F401
