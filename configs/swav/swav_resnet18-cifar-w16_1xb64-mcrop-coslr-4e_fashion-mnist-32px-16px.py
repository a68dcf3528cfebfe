# CPU-sized SwAV on Fashion-MNIST: the custom-dataset recipe with a narrow
# CIFAR-stem ResNet-18, 2x32 + 2x16 px crops, batch 64, 300 prototypes,
# a 512-long queue from epoch 1, prototypes frozen for 100 iterations.
#   mim train mmpretrain configs/swav/<this file> --work-dir work_dirs/swav
_base_ = './swav_resnet50_8xb32-mcrop-coslr-200e_custom-dataset-224px-96px.py'

data_root = 'data/fashion_mnist/'
num_crops = [2, 2]
batch_size = 64
view_pipeline1 = [
    dict(type='RandomResizedCrop', scale=32, crop_ratio_range=(0.14, 1.),
         backend='cv2'),
    dict(type='RandomApply',
         transforms=[dict(type='ColorJitter', brightness=0.8, contrast=0.8,
                          saturation=0.8, hue=0.2)],
         prob=0.8),
    dict(type='RandomFlip', prob=0.5),
]
view_pipeline2 = [
    dict(type='RandomResizedCrop', scale=16, crop_ratio_range=(0.05, 0.14),
         backend='cv2'),
    dict(type='RandomApply',
         transforms=[dict(type='ColorJitter', brightness=0.8, contrast=0.8,
                          saturation=0.8, hue=0.2)],
         prob=0.8),
    dict(type='RandomFlip', prob=0.5),
]
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='MultiView', num_views=num_crops,
         transforms=[view_pipeline1, view_pipeline2]),
    dict(type='PackInputs'),
]
train_dataloader = dict(
    batch_size=batch_size,
    num_workers=1,
    dataset=dict(data_root=data_root, data_prefix='train/',
                 pipeline=train_pipeline))

model = dict(
    data_preprocessor=dict(mean=(72.9, 72.9, 72.9), std=(90.0, 90.0, 90.0),
                           to_rgb=False),
    backbone=dict(
        _delete_=True, type='ResNet_CIFAR', depth=18, in_channels=3,
        stem_channels=16, base_channels=16, zero_init_residual=True),
    neck=dict(in_channels=128, hid_channels=512),
    head=dict(loss=dict(num_crops=num_crops, num_prototypes=300)))

optim_wrapper = dict(optimizer=dict(lr=0.3))
param_scheduler = [
    dict(type='CosineAnnealingLR', T_max=4, eta_min=3e-4, by_epoch=True,
         begin=0, end=4, convert_to_iter_based=True)
]
train_cfg = dict(max_epochs=4)
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=20),
    checkpoint=dict(interval=1, max_keep_ckpts=1))
custom_hooks = [
    dict(
        type='SwAVQueueHook',
        priority='VERY_HIGH',
        batch_size=batch_size,
        epoch_queue_starts=1,
        crops_for_assign=[0, 1],
        feat_dim=128,
        queue_length=512,
        frozen_layers_cfg=dict(prototypes=100))
]
randomness = dict(seed=0)
auto_scale_lr = dict(base_batch_size=64)
