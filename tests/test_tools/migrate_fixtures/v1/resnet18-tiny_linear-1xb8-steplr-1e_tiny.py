# MMSelfSup 1.x benchmark: mmcls scopes (mmcls's ResNet counts stages from 0)
_base_ = ['./_base_/default_runtime.py']
data_preprocessor = dict(
    num_classes=2,
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    to_rgb=True)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='mmcls.RandomResizedCrop', scale=32, backend='pillow'),
    dict(type='mmcls.RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='mmcls.PackClsInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='mmcls.ResizeEdge', scale=36, edge='short', backend='pillow'),
    dict(type='CenterCrop', crop_size=32),
    dict(type='mmcls.PackClsInputs'),
]
train_dataloader = dict(
    batch_size=8,
    num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        type='mmcls.ImageNet',
        data_root='data/tiny/',
        ann_file='meta/train.txt',
        data_prefix='train',
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=8,
    num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        type='mmcls.ImageNet',
        data_root='data/tiny/',
        ann_file='meta/train.txt',
        data_prefix='train',
        pipeline=test_pipeline))
val_evaluator = dict(type='mmcls.Accuracy', topk=(1, ))
val_cfg = dict()
model = dict(
    type='mmcls.ImageClassifier',
    backbone=dict(
        type='mmcls.ResNet',
        depth=18,
        stem_channels=8,
        base_channels=8,
        num_stages=4,
        out_indices=(3, ),
        frozen_stages=4,
        style='pytorch'),
    neck=dict(type='mmcls.GlobalAveragePooling'),
    head=dict(
        type='mmcls.LinearClsHead',
        num_classes=2,
        in_channels=64,
        loss=dict(type='mmcls.CrossEntropyLoss', loss_weight=1.0),
        topk=(1, )))
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='mmselfsup.LARS', lr=1.6, momentum=0.9,
                   weight_decay=0.))
param_scheduler = [
    dict(type='CosineAnnealingLR', T_max=1, by_epoch=True, begin=0, end=1)
]
train_cfg = dict(by_epoch=True, max_epochs=1, val_interval=1)
