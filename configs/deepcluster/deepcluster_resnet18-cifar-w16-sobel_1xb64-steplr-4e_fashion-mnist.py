# CPU-sized DeepCluster on Fashion-MNIST (60,000 train images at 32 px): the
# custom-dataset recipe with a narrow CIFAR-stem ResNet-18 on Sobel input,
# 100 clusters, PCA to 32 dims, batch 64, 4 epochs. Only sizes differ from
# the full recipe.
#   mim train mmpretrain configs/deepcluster/<this file> --work-dir work_dirs/dc
_base_ = './deepcluster-sobel_resnet50_8xb64-steplr-200e_custom-dataset.py'

data_root = 'data/fashion_mnist/'
num_clusters = 100

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
    dataset=dict(dataset=dict(data_root=data_root, data_prefix='train/',
                              pipeline=train_pipeline)))

model = dict(
    data_preprocessor=dict(mean=[72.9, 72.9, 72.9], std=[90.0, 90.0, 90.0],
                           to_rgb=False),
    backbone=dict(
        _delete_=True, type='ResNet_CIFAR', depth=18, in_channels=2,
        stem_channels=16, base_channels=16),
    head=dict(in_channels=128, num_classes=num_clusters))

# the recipe's hook at this size
custom_hooks = [
    dict(
        _base_.custom_hooks[0],
        extract_dataloader=dict(
            batch_size=256,
            num_workers=1,
            dataset=dict(**_dataset, pipeline=extract_pipeline)),
        num_clusters=num_clusters,
        pca_dim=32)
]

optim_wrapper = dict(optimizer=dict(lr=0.05))
train_cfg = dict(max_epochs=4)
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=20),
    checkpoint=dict(interval=1, max_keep_ckpts=1))
randomness = dict(seed=0)
auto_scale_lr = dict(base_batch_size=64)
