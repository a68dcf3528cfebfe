# CPU-sized relative patch location on Fashion-MNIST. The 28 px images are
# too small for a 3x3 patch grid, so they are upscaled to 96 px: 32 px
# cells with a jittered 24 px patch each. Narrow CIFAR-stem ResNet-18,
# fusion fc 512, batch 32 images (= 256 pairs).
#   mim train mmpretrain configs/relative_loc/<this file> --work-dir ...
_base_ = './relative-loc_resnet50_8xb64-steplr-70e_custom-dataset.py'

data_root = 'data/fashion_mnist/'
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(96, 96), backend='cv2'),
    dict(type='RelativeLocPatches', patch_size=24, crop_size=96),
    dict(type='PackInputs', algorithm_keys=['patch_label']),
]
train_dataloader = dict(
    batch_size=32,
    num_workers=1,
    dataset=dict(data_root=data_root, data_prefix='train/',
                 pipeline=train_pipeline))

model = dict(
    data_preprocessor=dict(mean=[72.9, 72.9, 72.9], std=[90.0, 90.0, 90.0],
                           to_rgb=False),
    backbone=dict(
        _delete_=True, type='ResNet_CIFAR', depth=18, in_channels=3,
        stem_channels=16, base_channels=16),
    neck=dict(in_channels=128, out_channels=512),
    head=dict(in_channels=512))

optim_wrapper = dict(optimizer=dict(lr=0.05))
param_scheduler = [
    dict(type='MultiStepLR', by_epoch=True, milestones=[1], gamma=0.1)
]
train_cfg = dict(max_epochs=2)
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=20),
    checkpoint=dict(interval=1, max_keep_ckpts=1))
randomness = dict(seed=0)
auto_scale_lr = dict(base_batch_size=32)
