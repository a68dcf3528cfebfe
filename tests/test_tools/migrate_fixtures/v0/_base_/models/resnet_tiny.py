model = dict(
    backbone=dict(
        type='ResNet',
        depth=18,
        in_channels=3,
        stem_channels=8,
        base_channels=8,
        out_indices=[4],  # 0: conv-1, x: stage-x
        norm_cfg=dict(type='BN')))
