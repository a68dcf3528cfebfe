# NPID (https://arxiv.org/abs/1805.01978), the MMSelfSup recipe:
# ResNet-50, 8 GPUs x 32, SGD lr 0.03, steps at 120/160 of 200 epochs,
# 65,536 negatives per sample, T=0.07, bank momentum 0.5.
_base_ = 'mmpretrain::_base_/default_runtime.py'
custom_imports = dict(imports=['mmssl_ext'], allow_failed_imports=False)

# dataset settings
dataset_type = 'ImageNet'
data_root = 'data/imagenet/'
num_train_samples = 1281167  # memory bank rows = len(train dataset)
data_preprocessor = dict(
    type='SelfSupDataPreprocessor',
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    to_rgb=True)

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomResizedCrop', scale=224, crop_ratio_range=(0.2, 1.),
         backend='pillow'),
    dict(type='RandomGrayscale', prob=0.2, keep_channels=True,
         channel_weights=(0.114, 0.587, 0.2989)),
    dict(type='ColorJitter', brightness=0.4, contrast=0.4, saturation=0.4,
         hue=0.4),
    dict(type='RandomFlip', prob=0.5),
    # PackInputs keeps `sample_idx` (the bank row) in the data sample.
    dict(type='PackInputs'),
]

train_dataloader = dict(
    batch_size=32,
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

# model settings
model = dict(
    type='NPID',
    neg_num=65536,
    ensure_neg=False,
    data_preprocessor=data_preprocessor,
    backbone=dict(
        type='ResNet',
        depth=50,
        in_channels=3,
        out_indices=[3],
        norm_cfg=dict(type='SyncBN')),
    neck=dict(
        type='LinearNeck', in_channels=2048, out_channels=128, gap_dim=2,
        norm_cfg=None),
    head=dict(
        type='ContrastiveHead',
        loss=dict(type='CrossEntropyLoss'),
        temperature=0.07),
    memory_bank=dict(
        type='SimpleMemory', length=num_train_samples, feat_dim=128,
        momentum=0.5))

# optimizer
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.03, weight_decay=1e-4, momentum=0.9))

# learning policy
param_scheduler = [
    dict(type='MultiStepLR', by_epoch=True, milestones=[120, 160], gamma=0.1)
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=200)

# stops before training if memory_bank.length != len(train dataset)
custom_hooks = [dict(type='MemoryBankCheckHook')]

default_hooks = dict(
    checkpoint=dict(type='CheckpointHook', interval=10, max_keep_ckpts=3))

# NOTE: `auto_scale_lr.base_batch_size` = 8 GPUs x 32.
auto_scale_lr = dict(base_batch_size=256)
