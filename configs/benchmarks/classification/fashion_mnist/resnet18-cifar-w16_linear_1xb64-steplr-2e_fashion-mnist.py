# Avgpool linear evaluation of the demo's backbone (narrow CIFAR-stem
# ResNet-18, 128-d pooled feature) on Fashion-MNIST at 32 px: the
# custom-dataset recipe (SGD lr 30, frozen backbone, norm_eval) at CPU size.
#   bash benchmarks/classification/dist_train_linear.sh <this> PRETRAIN  (GPUS=0: CPU)
_base_ = [
    '../custom_dataset/resnet50_linear-8xb32-steplr-100e_custom-dataset.py',
    '../_base_/fashion-mnist_cls_32px.py',
]
data_root = {{_base_.fmnist_root}}
data_preprocessor = {{_base_.fmnist_preprocessor}}
model = dict(
    backbone=dict(type='ResNet_CIFAR', depth=18, stem_channels=16,
                  base_channels=16),
    head=dict(in_channels=128))
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
