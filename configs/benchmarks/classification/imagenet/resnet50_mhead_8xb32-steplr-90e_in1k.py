# Multi-head linear evaluation on ImageNet-1k (feat1-feat5), 90 epochs,
# MMSelfSup's recipe (resnet50_mhead_linear-8xb32-steplr-90e_in1k.py): SGD
# lr 0.01, Nesterov momentum 0.9, wd 1e-4 (none on norms), x0.1 at 30/60;
# training images: RandomResizedCrop 224, flip, ColorJitter 0.4/0.4/0.4 and
# AlexNet-style PCA lighting noise (std 0.1).
_base_ = [
    '../_base_/mhead_resnet50.py',
    'mmpretrain::_base_/datasets/imagenet_bs32_pil_resize.py',
    'mmpretrain::_base_/default_runtime.py',
]
# MMSelfSup's Lighting adds the noise to the float RGB tensor in [0, 1]; here
# images are BGR in [0, 255]: eigenvalues x255 and eigenvector rows in BGR
# order, and the image is made float32 first (Normalize with mean 0, std 1
# only casts) so the noise is neither rounded nor wrapped around in uint8.
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomResizedCrop', scale=224, backend='pillow'),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='ColorJitter', brightness=0.4, contrast=0.4, saturation=0.4),
    dict(type='Normalize', mean=[0., 0., 0.], std=[1., 1., 1.],
         to_rgb=False),
    dict(type='Lighting',
         eigval=[55.4625, 4.794, 1.1475],
         eigvec=[[-0.5836, -0.6948, 0.4203],
                 [-0.5808, -0.0045, -0.8140],
                 [-0.5675, 0.7192, 0.4009]],
         alphastd=0.1,
         to_rgb=False),
    dict(type='PackInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=1e-4,
                   nesterov=True),
    paramwise_cfg=dict(norm_decay_mult=0.0))
param_scheduler = [
    dict(type='MultiStepLR', by_epoch=True, milestones=[30, 60], gamma=0.1)
]
train_cfg = dict(by_epoch=True, max_epochs=90, val_interval=10)
val_cfg = dict()
test_cfg = dict()
default_hooks = dict(
    checkpoint=dict(type='CheckpointHook', interval=10, max_keep_ckpts=3))
# Every head's accuracy is logged as multi_head/feat<i>_top<k>.
val_evaluator = dict(_delete_=True, type='MultiHeadAccuracy', topk=(1, 5))
test_evaluator = val_evaluator
