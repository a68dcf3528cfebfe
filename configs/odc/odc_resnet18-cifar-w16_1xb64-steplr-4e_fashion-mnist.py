# CPU-sized ODC on Fashion-MNIST (60,000 train images at 32 px): the
# custom-dataset recipe with a narrow CIFAR-stem ResNet-18, neck
# 128 -> 128 -> 64, 100 clusters, batch 64, 4 epochs. Only sizes differ from
# the full recipe.
#   mim train mmpretrain configs/odc/<this file> --work-dir work_dirs/odc
_base_ = './odc_resnet50_8xb64-steplr-440e_custom-dataset.py'

data_root = 'data/fashion_mnist/'
num_classes = 100
num_train_samples = 60000

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomResizedCrop', scale=32, crop_ratio_range=(0.2, 1.),
         backend='cv2'),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackInputs'),
]
extract_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=32, backend='cv2'),
    dict(type='PackInputs'),
]
_dataset = dict(
    type='CustomDataset',
    data_root=data_root,
    data_prefix='train/',
    with_label=False)

train_dataloader = dict(
    batch_size=64,
    num_workers=1,
    dataset=dict(data_root=data_root, data_prefix='train/',
                 pipeline=train_pipeline))

model = dict(
    data_preprocessor=dict(mean=[72.9, 72.9, 72.9], std=[90.0, 90.0, 90.0],
                           to_rgb=False),
    backbone=dict(
        _delete_=True, type='ResNet_CIFAR', depth=18, in_channels=3,
        stem_channels=16, base_channels=16),
    neck=dict(in_channels=128, hid_channels=128, out_channels=64,
              norm_cfg=dict(type='BN1d')),
    head=dict(in_channels=64, num_classes=num_classes),
    memory_bank=dict(length=num_train_samples, feat_dim=64,
                     num_classes=num_classes, min_cluster=20))

# the recipe's hooks at this size
custom_hooks = [
    dict(
        _base_.custom_hooks[0],
        extract_dataloader=dict(
            batch_size=256,
            num_workers=1,
            dataset=dict(**_dataset, pipeline=extract_pipeline)),
        num_clusters=num_classes),
    dict(_base_.custom_hooks[1], save_labels_interval=1),
]

optim_wrapper = dict(optimizer=dict(lr=0.03))
train_cfg = dict(max_epochs=4)
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=20),
    checkpoint=dict(interval=1, max_keep_ckpts=1))
randomness = dict(seed=0)
auto_scale_lr = dict(base_batch_size=64)
