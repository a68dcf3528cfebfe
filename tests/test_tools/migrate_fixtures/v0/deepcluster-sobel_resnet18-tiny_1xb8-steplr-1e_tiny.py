_base_ = [
    './_base_/models/resnet_tiny.py',
    './_base_/datasets/tiny_deepcluster.py',
    './_base_/schedules/sgd_steplr-1e.py',
    './_base_/default_runtime.py',
]
model = dict(
    type='DeepCluster',
    with_sobel=True,
    neck=dict(type='AvgPool2dNeck'),
    head=dict(
        type='ClsHead',
        with_avg_pool=False,
        in_channels=64,
        num_classes={{_base_.num_classes}}))
optimizer = dict(
    type='SGD',
    lr=0.1,
    momentum=0.9,
    weight_decay=1e-5,
    paramwise_options={'\\Ahead.': dict(momentum=0.)})
lr_config = dict(policy='step', step=[400])
checkpoint_config = dict(interval=10, max_keep_ckpts=3)
