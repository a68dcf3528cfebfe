_base_ = [
    './_base_/models/resnet_tiny.py',
    './_base_/datasets/tiny_mocov2.py',
    './_base_/schedules/sgd_coslr-1e.py',
    './_base_/default_runtime.py',
]
model = dict(
    type='MoCo',
    queue_len=64,
    feat_dim=16,
    momentum=0.999,
    neck=dict(
        type='MoCoV2Neck',
        in_channels=64,
        hid_channels=32,
        out_channels=16,
        with_avg_pool=True),
    head=dict(type='ContrastiveHead', temperature=0.2))
checkpoint_config = dict(interval=10, max_keep_ckpts=3)
