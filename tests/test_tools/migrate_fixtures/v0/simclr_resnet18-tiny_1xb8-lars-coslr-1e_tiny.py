_base_ = [
    './_base_/models/resnet_tiny.py',
    './_base_/schedules/lars_coslr-1e.py',
    './_base_/default_runtime.py',
]
data_source = 'ImageNet'
dataset_type = 'MultiViewDataset'
img_norm_cfg = dict(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225])
train_pipeline = [
    dict(type='RandomResizedCrop', size=32),
    dict(type='RandomHorizontalFlip'),
    dict(
        type='RandomAppliedTrans',
        transforms=[
            dict(
                type='ColorJitter',
                brightness=0.8,
                contrast=0.8,
                saturation=0.8,
                hue=0.2)
        ],
        p=0.8),
    dict(type='RandomGrayscale', p=0.2),
    dict(type='GaussianBlur', sigma_min=0.1, sigma_max=2.0, p=0.5),
    dict(type='ToTensor'),
    dict(type='Normalize', **img_norm_cfg),
]
data = dict(
    imgs_per_gpu=8,  # the old spelling of samples_per_gpu
    workers_per_gpu=0,
    train=dict(
        type=dataset_type,
        data_source=dict(type=data_source, data_prefix='data/tiny/train'),
        num_views=[2],
        pipelines=[train_pipeline]))
model = dict(
    type='SimCLR',
    backbone=dict(zero_init_residual=True),
    neck=dict(
        type='NonLinearNeck',
        in_channels=64,
        hid_channels=32,
        out_channels=16,
        num_layers=2,
        with_avg_pool=True),
    head=dict(type='ContrastiveHead', temperature=0.1))
optimizer = dict(
    type='LARS',
    lr=0.3,
    momentum=0.9,
    weight_decay=1e-6,
    paramwise_options={
        '(bn|gn)(\\d+)?.(weight|bias)':
        dict(weight_decay=0., lars_exclude=True),
        'bias': dict(weight_decay=0., lars_exclude=True)
    })
