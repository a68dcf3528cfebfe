_base_ = [
    './_base_/models/resnet_tiny.py',
    './_base_/schedules/sgd_steplr-1e.py',
    './_base_/default_runtime.py',
]
model = dict(
    type='RelativeLoc',
    neck=dict(
        type='RelativeLocNeck',
        in_channels=64,
        out_channels=32,
        with_avg_pool=True),
    head=dict(
        type='ClsHead',
        with_avg_pool=False,
        in_channels=32,
        num_classes=8,
        init_cfg=[
            dict(type='Normal', std=0.005, layer='Linear'),
            dict(type='Constant', val=1, layer=['_BatchNorm', 'GroupNorm'])
        ]))
img_norm_cfg = dict(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225])
data = dict(
    samples_per_gpu=8,
    workers_per_gpu=0,
    train=dict(
        type='RelativeLocDataset',
        data_source=dict(
            type='ImageNet',
            data_prefix='data/tiny/train',
            ann_file='data/tiny/meta/train.txt'),
        pipeline=[
            dict(type='Resize', size=112),
            dict(type='RandomCrop', size=96),
            dict(type='RandomGrayscale', p=0.66),
        ],
        format_pipeline=[
            dict(type='ToTensor'),
            dict(type='Normalize', **img_norm_cfg),
        ]))
optimizer = dict(
    type='SGD',
    lr=0.2,
    weight_decay=1e-4,
    momentum=0.9,
    paramwise_options={
        '\\Aneck.': dict(weight_decay=5e-4),
        '\\Ahead.': dict(weight_decay=5e-4)
    })
lr_config = dict(
    policy='step',
    step=[30, 50],
    warmup='linear',
    warmup_iters=5,  # 5 ep
    warmup_ratio=0.1,
    warmup_by_epoch=True)
runner = dict(type='EpochBasedRunner', max_epochs=1)
