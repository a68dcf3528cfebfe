# Relative patch location (https://arxiv.org/abs/1505.05192), the MMSelfSup
# recipe (0.x): short side resized to 292 px, a random 255 px square cut into
# 3x3 cells of 85 px with a jittered 64 px patch in each; ResNet-50 on the
# patches, pair fusion fc 4096, 8-way head; 8 GPUs x 64, SGD lr 0.2, steps
# at 30/50 of 70 epochs.
_base_ = 'mmpretrain::_base_/default_runtime.py'
custom_imports = dict(imports=['mmssl_ext'], allow_failed_imports=False)

dataset_type = 'ImageNet'
data_root = 'data/imagenet/'
data_preprocessor = dict(
    type='RelativeLocDataPreprocessor',
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    to_rgb=True)

train_pipeline = [
    dict(type='LoadImageFromFile'),
    # MMSelfSup 0.x: torchvision Resize(292), the short side (1.x squashes
    # to 292 x 292)
    dict(type='ResizeEdge', scale=292, edge='short', backend='pillow'),
    dict(type='RandomGrayscale', prob=0.66, keep_channels=True,
         channel_weights=(0.114, 0.587, 0.2989)),
    dict(type='RelativeLocPatches', patch_size=64, crop_size=255),
    dict(type='PackInputs', algorithm_keys=['patch_label']),
]

train_dataloader = dict(
    batch_size=64,
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
    type='RelativeLoc',
    data_preprocessor=data_preprocessor,
    backbone=dict(
        type='ResNet',
        depth=50,
        in_channels=3,
        out_indices=[3],
        norm_cfg=dict(type='BN')),
    neck=dict(
        type='RelativeLocNeck',
        in_channels=2048,
        out_channels=4096,
        with_avg_pool=True),
    head=dict(
        type='PretextClsHead',
        in_channels=4096,
        num_classes=8,
        with_avg_pool=False,
        loss=dict(type='CrossEntropyLoss'),
        init_cfg=dict(type='Normal', std=0.005, layer='Linear')))

optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.2, momentum=0.9, weight_decay=1e-4),
    paramwise_cfg=dict(custom_keys={
        'neck': dict(decay_mult=5.0),
        'head': dict(decay_mult=5.0)
    }))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0, end=5,
         convert_to_iter_based=True),
    dict(type='MultiStepLR', by_epoch=True, milestones=[30, 50], gamma=0.1)
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=70)
default_hooks = dict(
    checkpoint=dict(type='CheckpointHook', interval=10, max_keep_ckpts=3))
auto_scale_lr = dict(base_batch_size=512)
