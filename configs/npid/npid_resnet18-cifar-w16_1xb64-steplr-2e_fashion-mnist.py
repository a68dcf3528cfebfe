# CPU-sized NPID on Fashion-MNIST (60,000 train images at 32 px): the
# custom-dataset recipe with a narrow CIFAR-stem ResNet-18, batch 64,
# 4,096 negatives and 2 epochs. Only sizes differ from the full recipe.
#   mim train mmpretrain configs/npid/<this file> --work-dir work_dirs/npid
_base_ = './npid_resnet50_8xb32-steplr-200e_custom-dataset.py'

data_root = 'data/fashion_mnist/'
num_train_samples = 60000

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomResizedCrop', scale=32, crop_ratio_range=(0.2, 1.),
         backend='cv2'),
    dict(type='ColorJitter', brightness=0.4, contrast=0.4, saturation=0.4,
         hue=0.4),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackInputs'),
]
train_dataloader = dict(
    batch_size=64,
    num_workers=1,
    dataset=dict(
        data_root=data_root,
        data_prefix='train/',
        pipeline=train_pipeline))

model = dict(
    neg_num=4096,
    data_preprocessor=dict(mean=[72.9, 72.9, 72.9], std=[90.0, 90.0, 90.0],
                           to_rgb=False),
    backbone=dict(
        _delete_=True, type='ResNet_CIFAR', depth=18, in_channels=3,
        stem_channels=16, base_channels=16),
    neck=dict(in_channels=128),
    memory_bank=dict(length=num_train_samples))

param_scheduler = [
    dict(type='MultiStepLR', by_epoch=True, milestones=[1], gamma=0.1)
]
train_cfg = dict(max_epochs=2)
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=20),
    checkpoint=dict(interval=1, max_keep_ckpts=1))
randomness = dict(seed=0)
auto_scale_lr = dict(base_batch_size=64)
