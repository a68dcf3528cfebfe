# Relative patch location (https://arxiv.org/abs/1505.05192): ResNet-50 on
# the patches, pair fusion fc 4096, 8-way classifier of the neighbour's
# position. Configs set `data_preprocessor`.
model = dict(
    type='RelativeLoc',
    backbone=dict(
        type='ResNet',
        depth=50,
        in_channels=3,
        out_indices=[3],
        norm_cfg=dict(type='BN')),
    neck=dict(
        type='RelativeLocNeck',
        in_channels=2048,
        out_channels=4096,
        with_avg_pool=True),
    head=dict(
        type='PretextClsHead',
        in_channels=4096,
        num_classes=8,
        with_avg_pool=False,
        loss=dict(type='CrossEntropyLoss'),
        init_cfg=dict(type='Normal', std=0.005, layer='Linear')))
