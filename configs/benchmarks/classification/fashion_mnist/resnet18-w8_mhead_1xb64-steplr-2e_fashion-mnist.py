# CPU-sized sibling of the multi-head protocol: the custom-dataset recipe with
# a narrow ResNet-18 (stem/base width 8) at 32 px on Fashion-MNIST.
# feat1..feat5 are 8x16x16, 8x8x8, 16x4x4, 32x2x2, 64x1x1 -> pooled to
# 4/4/2/2/1 (128/128/64/128/64-d) with adaptive average pooling (MMSelfSup's
# fixed 'specified' kernels are made for ResNet-50 maps at 224 px).
# ~1 epoch = 938 iterations.
_base_ = [
    '../custom_dataset/resnet50_mhead_8xb32-steplr-90e_custom-dataset.py',
    '../_base_/fashion-mnist_cls_32px.py',
]
data_root = {{_base_.fmnist_root}}
data_preprocessor = {{_base_.fmnist_preprocessor}}
model = dict(
    backbone=dict(depth=18, stem_channels=8, base_channels=8),
    neck=dict(pool_type='adaptive', pool_sizes=(4, 4, 2, 2, 1)),
    head=dict(in_channels=(8, 8, 16, 32, 64), pool_sizes=(4, 4, 2, 2, 1),
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
train_cfg = dict(max_epochs=2, val_interval=1)
default_hooks = dict(logger=dict(interval=50))
