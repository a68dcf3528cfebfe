# Avgpool linear evaluation of the demo's backbone (narrow CIFAR-stem
# ResNet-18, 128-d pooled feature) on Fashion-MNIST at 32 px: the
# custom-dataset recipe (frozen backbone, norm_eval) at CPU size, with one
# change: a BatchNorm without affine before the linear layer and the
# multi-head protocol's SGD (lr 0.01) instead of a bare linear layer at lr 30.
# At this size the pooled features' scale depends on the pretraining by two
# orders of magnitude (mean L2 norm measured on 256 test images: random init
# 16, SimCLR demo 315, supervised 1521), so no single lr suits a bare linear
# layer (lr 30 diverged to loss 34 on the random init); the BN makes the
# probe scale-free (as MMSelfSup's multi-head heads and MAE's linear probe).
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
    neck=dict(_delete_=True, type='MultiPooling', pool_type='adaptive',
              pool_sizes=(1, )),
    # one head: GAP feature -> BN(affine=False) -> Linear; its prediction is
    # pred_score, so mmpretrain's Accuracy reports it as accuracy/top1
    head=dict(_delete_=True, type='MultiClsHead', num_classes=10,
              in_channels=(128, ), pool_sizes=(1, ), feat_names=('avgpool', ),
              with_norm=True))
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=1e-4),
    paramwise_cfg=dict(norm_decay_mult=0.0))
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
