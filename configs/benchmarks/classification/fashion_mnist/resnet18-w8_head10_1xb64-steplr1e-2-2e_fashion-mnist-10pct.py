# CPU-sized sibling of the semi-supervised recipe on a Fashion-MNIST 10 %
# per-class subset (6,000 images): write it first with
#   python tools/dataset_converters/make_semi_supervised_subset.py per-class \
#       --ann-file data/fashion_mnist/meta/train.txt --fraction 0.1 \
#       --out data/fashion_mnist/meta/train_10pct.txt
_base_ = [
    '../custom_dataset/resnet50_head10_4xb64-steplr1e-2-20e_custom-dataset-10pct.py',
    '../_base_/fashion-mnist_cls_32px.py',
]
data_root = {{_base_.fmnist_root}}
data_preprocessor = {{_base_.fmnist_preprocessor}}
model = dict(
    backbone=dict(depth=18, stem_channels=8, base_channels=8,
                  norm_cfg=dict(type='BN')),
    head=dict(in_channels=64))
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
    dict(type='MultiStepLR', by_epoch=True, milestones=[1], gamma=0.2)
]
train_cfg = dict(max_epochs=2, val_interval=1)
default_hooks = dict(logger=dict(interval=20))
