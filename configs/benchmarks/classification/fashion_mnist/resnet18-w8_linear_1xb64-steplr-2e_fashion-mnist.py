# CPU-sized sibling of the avgpool linear protocol (custom-dataset recipe)
# with a narrow ResNet-18 at 32 px on Fashion-MNIST.
_base_ = [
    '../custom_dataset/resnet50_linear-8xb32-steplr-100e_custom-dataset.py',
    '../_base_/fashion-mnist_cls_32px.py',
]
data_root = {{_base_.fmnist_root}}
data_preprocessor = {{_base_.fmnist_preprocessor}}
model = dict(
    backbone=dict(depth=18, stem_channels=8, base_channels=8),
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
    dict(type='MultiStepLR', by_epoch=True, milestones=[1], gamma=0.1)
]
train_cfg = dict(max_epochs=2, val_interval=1)
default_hooks = dict(logger=dict(interval=50))
