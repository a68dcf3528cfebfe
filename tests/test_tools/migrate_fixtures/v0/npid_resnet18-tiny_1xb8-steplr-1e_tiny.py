_base_ = [
    './_base_/models/resnet_tiny.py',
    './_base_/schedules/sgd_steplr-1e.py',
    './_base_/default_runtime.py',
]
model = dict(
    type='NPID',
    neg_num=8,
    neck=dict(
        type='LinearNeck', in_channels=64, out_channels=16,
        with_avg_pool=True),
    head=dict(type='ContrastiveHead', temperature=0.07),
    memory_bank=dict(
        type='SimpleMemory', length=16, feat_dim=16, momentum=0.5))
img_norm_cfg = dict(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225])
train_pipeline = [
    dict(type='RandomResizedCrop', size=32, scale=(0.2, 1.)),
    dict(type='RandomGrayscale', p=0.2),
    dict(
        type='ColorJitter',
        brightness=0.4,
        contrast=0.4,
        saturation=0.4,
        hue=0.4),
    dict(type='RandomHorizontalFlip'),
    dict(type='ToTensor'),
    dict(type='Normalize', **img_norm_cfg),
]
data = dict(
    samples_per_gpu=8,
    workers_per_gpu=0,
    train=dict(
        type='SingleViewDataset',
        data_source=dict(
            type='ImageList',
            data_prefix='data/tiny/train',
            ann_file='data/tiny/meta/train.txt'),
        pipeline=train_pipeline))
