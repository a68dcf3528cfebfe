# CPU-sized sibling of resnet50_ft-frozen2-8xb32-steplr-30e_custom-dataset.py:
# same recipe with the narrow ResNet-18 (width 16) of the tiny-cpu
# pretraining configs (SimCLR, RotationPred), 32 px, batch 8, 2 epochs.
_base_ = './resnet50_ft-frozen2-8xb32-steplr-30e_custom-dataset.py'

pretrained = 'work_dirs/simclr_custom/epoch_2.pth'  # or --cfg-options
model = dict(
    backbone=dict(depth=18, base_channels=16, stem_channels=16,
                  init_cfg=dict(checkpoint=pretrained)),
    head=dict(in_channels=128))

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomResizedCrop', scale=32, backend='pillow'),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='ResizeEdge', scale=36, edge='short', backend='pillow'),
    dict(type='CenterCrop', crop_size=32),
    dict(type='PackInputs'),
]
train_dataloader = dict(batch_size=8, num_workers=0, persistent_workers=False,
                        dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(batch_size=8, num_workers=0, persistent_workers=False,
                      dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
param_scheduler = dict(milestones=[1])
train_cfg = dict(max_epochs=2)
auto_scale_lr = dict(base_batch_size=8)
