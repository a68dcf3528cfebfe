_base_ = [
    './_base_/models/resnet_tiny.py',
    './_base_/schedules/lars_coslr-1e.py',
    './_base_/default_runtime.py',
]
model = dict(
    type='BYOL',
    base_momentum=0.99,
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
        predictor=dict(
            type='NonLinearNeck',
            in_channels=16,
            hid_channels=32,
            out_channels=16,
            num_layers=2,
            with_bias=True,
            with_last_bn=False,
            with_avg_pool=False)))
img_norm_cfg = dict(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225])
view_pipeline = [
    dict(type='RandomResizedCrop', size=32, interpolation=3),  # bicubic
    dict(type='RandomHorizontalFlip'),
    dict(type='RandomGrayscale', p=0.2),
    dict(type='GaussianBlur', sigma_min=0.1, sigma_max=2.0, p=1.),
    dict(type='Solarization', p=0.2),
    dict(type='ToTensor'),
    dict(type='Normalize', **img_norm_cfg),
]
data = dict(
    samples_per_gpu=4,
    workers_per_gpu=0,
    train=dict(
        type='MultiViewDataset',
        data_source=dict(
            type='ImageNet',
            data_prefix='data/tiny/train',
            ann_file='data/tiny/meta/train.txt'),
        num_views=[1, 1],
        pipelines=[view_pipeline, view_pipeline]))
# gradient accumulation: 2 x 4 per step; the target moves once per step
update_interval = 2
custom_hooks = [
    dict(type='BYOLHook', end_momentum=1., update_interval=update_interval)
]
optimizer_config = dict(
    update_interval=update_interval, grad_clip=dict(max_norm=10.0))
fp16 = dict(loss_scale=512.)
