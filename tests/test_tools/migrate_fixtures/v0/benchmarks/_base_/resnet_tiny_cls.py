model = dict(
    type='Classification',
    backbone=dict(
        type='ResNet',
        depth=18,
        in_channels=3,
        stem_channels=8,
        base_channels=8,
        out_indices=[4],  # 0: conv-1, x: stage-x
        norm_cfg=dict(type='BN'),
        frozen_stages=-1),
    head=dict(
        type='ClsHead', with_avg_pool=True, in_channels=64, num_classes=2))
