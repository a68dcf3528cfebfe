# Semi-supervised fine-tuning of the demo's backbone (narrow CIFAR-stem
# ResNet-18) on a 10 % per-class subset of Fashion-MNIST (6,000 images), one
# point of the seeds' grid (lr 0.01, head lr x10), whole network trained.
# CPU size: 4 epochs (~380 iterations of 64), lr x0.2 after epoch 3.
# Write the subset first:
#   python tools/dataset_converters/make_semi_supervised_subset.py per-class \
#       --ann-file data/fashion_mnist/meta/train.txt --fraction 0.1 \
#       --out data/fashion_mnist/meta/train_10pct.txt
#   bash benchmarks/classification/dist_train_semi.sh <this> PRETRAIN  (GPUS=0: CPU)
_base_ = [
    '../custom_dataset/resnet50_head10_4xb64-steplr1e-2-20e_custom-dataset-10pct.py',
    '../_base_/fashion-mnist_cls_32px.py',
]
data_root = {{_base_.fmnist_root}}
data_preprocessor = {{_base_.fmnist_preprocessor}}
model = dict(
    backbone=dict(type='ResNet_CIFAR', depth=18, stem_channels=16,
                  base_channels=16, norm_cfg=dict(type='BN')),
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
max_epochs = 4
param_scheduler = [
    dict(type='MultiStepLR', by_epoch=True, milestones=[3], gamma=0.2)
]
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
default_hooks = dict(logger=dict(interval=20),
                     checkpoint=dict(interval=max_epochs, max_keep_ckpts=1))
randomness = dict(seed=0)
