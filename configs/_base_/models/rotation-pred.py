# Rotation prediction (https://arxiv.org/abs/1803.07728): ResNet-50 and a
# 4-way classifier of the rotation. Configs set `data_preprocessor`.
model = dict(
    type='RotationPred',
    backbone=dict(
        type='ResNet',
        depth=50,
        in_channels=3,
        out_indices=[3],
        norm_cfg=dict(type='SyncBN')),
    head=dict(
        type='PretextClsHead',
        in_channels=2048,
        num_classes=4,
        with_avg_pool=True,
        loss=dict(type='CrossEntropyLoss')))
