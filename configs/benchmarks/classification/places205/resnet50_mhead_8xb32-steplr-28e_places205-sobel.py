# Sobel variant (DeepCluster backbones).
_base_ = './resnet50_mhead_8xb32-steplr-28e_places205.py'
data_preprocessor = dict(
    _delete_=True,
    type='SobelClsDataPreprocessor',
    num_classes=205,
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    to_rgb=True)
model = dict(backbone=dict(in_channels=2))
