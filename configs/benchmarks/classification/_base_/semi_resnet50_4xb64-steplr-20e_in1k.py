# Semi-supervised fine-tuning on an ImageNet 1 %/10 % subset, MMSelfSup's
# recipe: whole ResNet-50 trained (SyncBN), 4 x 64 images, SGD momentum 0.9,
# wd 5e-4 (1 %; the 10 % configs set 1e-4 as MMSelfSup's), 20 epochs, lr x0.2
# at epochs 12 and 16. The grid of the seeds:
# lr in {0.1, 0.01, 0.001} x head lr multiplier in {1, 10, 100}.
# Subset lists: tools/dataset_converters/make_semi_supervised_subset.py.
_base_ = [
    'mmpretrain::_base_/datasets/imagenet_bs32_pil_resize.py',
    'mmpretrain::_base_/default_runtime.py',
]
custom_imports = dict(imports=['mmssl_ext'], allow_failed_imports=False)
model = dict(
    type='ImageClassifier',
    backbone=dict(
        type='ResNet',
        depth=50,
        in_channels=3,
        out_indices=(3, ),
        norm_cfg=dict(type='SyncBN'),
        init_cfg=dict(type='Pretrained', checkpoint='', prefix='backbone.')),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=1000,
        in_channels=2048,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        topk=(1, 5),
        init_cfg=dict(type='Normal', std=0.01, layer='Linear')))
train_dataloader = dict(
    batch_size=64,
    dataset=dict(split='', ann_file='meta/train_1percent.txt',
                 data_prefix='train'))
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=5e-4),
    paramwise_cfg=dict(custom_keys={'head': dict(lr_mult=1)}))
param_scheduler = [
    dict(type='MultiStepLR', by_epoch=True, milestones=[12, 16], gamma=0.2)
]
train_cfg = dict(by_epoch=True, max_epochs=20, val_interval=2)
val_cfg = dict()
test_cfg = dict()
default_hooks = dict(
    checkpoint=dict(type='CheckpointHook', interval=10, max_keep_ckpts=1))
