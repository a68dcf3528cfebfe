# Rotation prediction (https://arxiv.org/abs/1803.07728), the MMSelfSup
# recipe: ResNet-50, 8 GPUs x 16 images (x 4 rotations), SGD lr 0.2,
# steps at 30/50 of 70 epochs.
_base_ = 'mmpretrain::_base_/default_runtime.py'
custom_imports = dict(imports=['mmssl_ext'], allow_failed_imports=False)

dataset_type = 'ImageNet'
data_root = 'data/imagenet/'
data_preprocessor = dict(
    type='RotationPredDataPreprocessor',
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    to_rgb=True)

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomResizedCrop', scale=224, backend='pillow'),
    dict(type='RandomFlip', prob=0.5),
    dict(type='RotationViews'),
    dict(type='PackInputs', algorithm_keys=['rot_label']),
]

train_dataloader = dict(
    batch_size=16,
    num_workers=4,
    drop_last=True,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        split='train',
        pipeline=train_pipeline))

model = dict(
    type='RotationPred',
    data_preprocessor=data_preprocessor,
    backbone=dict(
        type='ResNet',
        depth=50,
        in_channels=3,
        out_indices=[3],
        norm_cfg=dict(type='SyncBN')),
    head=dict(
        type='PretextClsHead',
        in_channels=2048,
        num_classes=4,
        with_avg_pool=True,
        loss=dict(type='CrossEntropyLoss')))

optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.2, momentum=0.9, weight_decay=1e-4))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0, end=5,
         convert_to_iter_based=True),
    dict(type='MultiStepLR', by_epoch=True, milestones=[30, 50], gamma=0.1)
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=70)
default_hooks = dict(
    checkpoint=dict(type='CheckpointHook', interval=10, max_keep_ckpts=3))
auto_scale_lr = dict(base_batch_size=128)
