# Multi-head (feat1-feat5) linear evaluation of the demo's backbone (narrow
# CIFAR-stem ResNet-18) on Fashion-MNIST at 32 px: the custom-dataset recipe at
# CPU size. feat1..feat5 are 16x32x32, 16x32x32, 32x16x16, 64x8x8, 128x4x4,
# pooled to 8/8/6/4/3 (1024/1024/1152/1024/1152-d, ~1k per head like the
# ~9k per head of ResNet-50 at 224 px). MMSelfSup's fixed 'specified' kernels
# are made for ResNet-50 maps at 224 px, so these 32 px maps are pooled with
# adaptive average pooling to the listed sizes.
#   bash benchmarks/classification/dist_train_linear.sh <this> PRETRAIN  (GPUS=0: CPU)
_base_ = [
    '../custom_dataset/resnet50_mhead_8xb32-steplr-90e_custom-dataset.py',
    '../_base_/fashion-mnist_cls_32px.py',
]
data_root = {{_base_.fmnist_root}}
data_preprocessor = {{_base_.fmnist_preprocessor}}
pool_sizes = (8, 8, 6, 4, 3)
model = dict(
    backbone=dict(type='ResNetFeats_CIFAR', depth=18, stem_channels=16,
                  base_channels=16),
    neck=dict(pool_type='adaptive', pool_sizes=pool_sizes),
    head=dict(in_channels=(16, 16, 32, 64, 128), pool_sizes=pool_sizes,
              # one process: plain BN (SyncBN needs a GPU process group)
              norm_cfg=dict(type='BN', momentum=0.1, affine=False)))
train_dataloader = dict(
    batch_size=64, num_workers=1,
    dataset=dict(data_root=data_root,
                 pipeline={{_base_.fmnist_train_pipeline}}))
val_dataloader = dict(
    batch_size=256, num_workers=1,
    dataset=dict(data_root=data_root,
                 pipeline={{_base_.fmnist_test_pipeline}}))
test_dataloader = val_dataloader
param_scheduler = [
    dict(type='MultiStepLR', by_epoch=True, milestones=[1], gamma=0.1)
]
train_cfg = dict(max_epochs=2, val_interval=2)
default_hooks = dict(logger=dict(interval=100),
                     checkpoint=dict(interval=2, max_keep_ckpts=1))
randomness = dict(seed=0)
