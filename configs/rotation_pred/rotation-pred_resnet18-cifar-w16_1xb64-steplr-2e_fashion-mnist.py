# CPU-sized rotation prediction on Fashion-MNIST (32 px): the custom-dataset
# recipe with a narrow CIFAR-stem ResNet-18, batch 64 (x 4 rotations).
#   mim train mmpretrain configs/rotation_pred/<this file> --work-dir ...
_base_ = './rotation-pred_resnet50_8xb16-steplr-70e_custom-dataset.py'

data_root = 'data/fashion_mnist/'
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomResizedCrop', scale=32, crop_ratio_range=(0.5, 1.),
         backend='cv2'),
    dict(type='RandomFlip', prob=0.5),
    dict(type='RotationViews'),
    dict(type='PackInputs', algorithm_keys=['rot_label']),
]
train_dataloader = dict(
    batch_size=64,
    num_workers=1,
    dataset=dict(data_root=data_root, data_prefix='train/',
                 pipeline=train_pipeline))

model = dict(
    data_preprocessor=dict(mean=[72.9, 72.9, 72.9], std=[90.0, 90.0, 90.0],
                           to_rgb=False),
    backbone=dict(
        _delete_=True, type='ResNet_CIFAR', depth=18, in_channels=3,
        stem_channels=16, base_channels=16),
    head=dict(in_channels=128))

optim_wrapper = dict(optimizer=dict(lr=0.05))
param_scheduler = [
    dict(type='MultiStepLR', by_epoch=True, milestones=[1], gamma=0.1)
]
train_cfg = dict(max_epochs=2)
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=20),
    checkpoint=dict(interval=1, max_keep_ckpts=1))
randomness = dict(seed=0)
auto_scale_lr = dict(base_batch_size=64)
