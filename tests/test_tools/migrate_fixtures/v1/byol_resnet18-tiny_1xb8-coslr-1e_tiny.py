_base_ = ['./mocov2_resnet18-tiny_1xb8-coslr-1e_tiny.py']
model = dict(
    _delete_=True,
    type='BYOL',
    base_momentum=0.99,
    data_preprocessor=dict(
        mean=(123.675, 116.28, 103.53),
        std=(58.395, 57.12, 57.375),
        bgr_to_rgb=True),
    backbone=dict(
        type='ResNet',
        depth=18,
        in_channels=3,
        stem_channels=8,
        base_channels=8,
        out_indices=[4],
        norm_cfg=dict(type='BN')),
    neck=dict(
        type='NonLinearNeck',
        in_channels=64,
        hid_channels=32,
        out_channels=16,
        num_layers=2,
        with_bias=True,
        with_last_bn=False,
        with_avg_pool=True),
    head=dict(
        type='LatentPredictHead',
        loss=dict(type='CosineSimilarityLoss'),
        predictor=dict(
            type='NonLinearNeck',
            in_channels=16,
            hid_channels=32,
            out_channels=16,
            num_layers=2,
            with_bias=True,
            with_last_bn=False,
            with_avg_pool=False)))
optimizer = dict(type='LARS', lr=4.8, momentum=0.9, weight_decay=1e-6)
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=optimizer,
    accumulative_counts=2,
    paramwise_cfg=dict(
        custom_keys={
            'bn': dict(decay_mult=0, lars_exclude=True),
            'bias': dict(decay_mult=0, lars_exclude=True),
            'downsample.1': dict(decay_mult=0, lars_exclude=True),
        }))
