# CPU-sized sibling of rotation-pred_resnet50_8xb16-steplr-70e_custom-dataset.py:
# same recipe (4 rotations per image, SGD, warm-up + steps) with the narrow
# ResNet-18 (width 16) of the other tiny-cpu configs, 32 px, batch 8, 2 epochs.
_base_ = './rotation-pred_resnet50_8xb16-steplr-70e_custom-dataset.py'

model = dict(
    backbone=dict(depth=18, base_channels=16, stem_channels=16),
    head=dict(in_channels=128))

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomResizedCrop', scale=32, backend='pillow'),
    dict(type='RandomFlip', prob=0.5),
    dict(type='RotationViews'),
    dict(type='PackInputs', algorithm_keys=['rot_label']),
]
train_dataloader = dict(batch_size=8, num_workers=0, persistent_workers=False,
                        dataset=dict(pipeline=train_pipeline))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0, end=1,
         convert_to_iter_based=True),
    dict(type='MultiStepLR', by_epoch=True, milestones=[1], gamma=0.1)
]
train_cfg = dict(max_epochs=2)
default_hooks = dict(checkpoint=dict(interval=1))
auto_scale_lr = dict(base_batch_size=8)
