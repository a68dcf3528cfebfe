# Sobel variant of the CPU multi-head sibling (DeepCluster backbones).
_base_ = './resnet18-w8_mhead_1xb64-steplr-2e_fashion-mnist.py'
data_preprocessor = dict(
    _delete_=True,
    type='SobelClsDataPreprocessor',
    num_classes=10,
    mean=[72.9, 72.9, 72.9],
    std=[90.0, 90.0, 90.0],
    to_rgb=False)
model = dict(backbone=dict(in_channels=2))
