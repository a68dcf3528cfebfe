_base_ = [
    './_base_/models/resnet_tiny.py',
    './_base_/schedules/sgd_steplr-1e.py',
    './_base_/default_runtime.py',
]
model = dict(
    type='RotationPred',
    head=dict(
        type='ClsHead', with_avg_pool=True, in_channels=64, num_classes=4))
img_norm_cfg = dict(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225])
data = dict(
    samples_per_gpu=4,
    workers_per_gpu=0,
    train=dict(
        type='RotationPredDataset',
        data_source=dict(
            type='ImageNet',
            data_prefix='data/tiny/train',
            ann_file='data/tiny/meta/train.txt'),
        pipeline=[
            dict(type='RandomResizedCrop', size=32),
            dict(type='RandomHorizontalFlip'),
            dict(type='ToTensor'),
            dict(type='Normalize', **img_norm_cfg),
        ]))
optimizer = dict(type='SGD', lr=0.2, momentum=0.9, weight_decay=1e-4)
lr_config = dict(
    policy='step',
    step=[30, 50],
    warmup='linear',
    warmup_iters=5,
    warmup_ratio=0.1,
    warmup_by_epoch=True)
