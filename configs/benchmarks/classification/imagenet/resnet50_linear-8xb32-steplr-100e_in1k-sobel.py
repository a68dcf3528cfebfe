# Sobel variant (DeepCluster backbones: 2 input channels, Sobel input).
_base_ = './resnet50_linear-8xb32-steplr-100e_in1k.py'
data_preprocessor = dict(
    _delete_=True,
    type='SobelClsDataPreprocessor',
    num_classes=1000,
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    to_rgb=True)
model = dict(backbone=dict(in_channels=2))
