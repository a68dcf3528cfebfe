# DeepCluster (https://arxiv.org/abs/1807.05520), the MMSelfSup recipe:
# Sobel input + ResNet-50 (2 input channels), 8 GPUs x 64, SGD lr 0.1,
# 10,000 k-means clusters of PCA-256-whitened features re-computed every
# epoch, cluster-balanced sampling, inverse-sqrt cluster loss weights.
_base_ = 'mmpretrain::_base_/default_runtime.py'
custom_imports = dict(imports=['mmssl_ext'], allow_failed_imports=False)

# dataset settings
dataset_type = 'ImageNet'
data_root = 'data/imagenet/'
num_clusters = 10000
data_preprocessor = dict(
    type='SobelDataPreprocessor',  # RGB -> 2 Sobel gradient maps
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    to_rgb=True)

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomResizedCrop', scale=224, backend='pillow'),
    dict(type='RandomFlip', prob=0.5),
    dict(type='ColorJitter', brightness=0.4, contrast=0.4, saturation=1.0,
         hue=0.5),
    dict(type='RandomGrayscale', prob=0.2, keep_channels=True),
    dict(type='PackInputs'),
]
# deterministic view of every training image for clustering
extract_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='ResizeEdge', scale=256, edge='short', backend='pillow'),
    dict(type='CenterCrop', crop_size=224),
    dict(type='PackInputs'),
]

train_dataset = dict(
    type=dataset_type, data_root=data_root, split='train',
    pipeline=train_pipeline)
train_dataloader = dict(
    batch_size=64,
    num_workers=8,
    drop_last=True,
    # labels change every epoch: workers must be re-created to see them
    persistent_workers=False,
    sampler=dict(type='ClusterBalancedSampler'),
    collate_fn=dict(type='default_collate'),
    dataset=dict(type='PseudoLabelDataset', dataset=train_dataset))

extract_dataloader = dict(
    batch_size=128,
    num_workers=8,
    dataset=dict(
        type=dataset_type, data_root=data_root, split='train',
        pipeline=extract_pipeline))

# model settings
model = dict(
    type='DeepCluster',
    data_preprocessor=data_preprocessor,
    backbone=dict(
        type='ResNet',
        depth=50,
        in_channels=2,
        out_indices=[3],
        norm_cfg=dict(type='BN')),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(type='ClusterHead', in_channels=2048, num_classes=num_clusters))

custom_hooks = [
    dict(
        type='DeepClusterHook',
        extract_dataloader=extract_dataloader,
        num_clusters=num_clusters,
        pca_dim=256,
        kmeans_iters=20,
        balanced_sampling=True,
        reweight=True,
        reweight_pow=0.5,
        initial=True,
        interval=1,
        seed=0)
]

# optimizer
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=1e-5))

# learning policy (a step beyond the last epoch: constant lr, as MMSelfSup)
param_scheduler = [
    dict(type='MultiStepLR', by_epoch=True, milestones=[400], gamma=0.4)
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=200)

default_hooks = dict(
    checkpoint=dict(type='CheckpointHook', interval=10, max_keep_ckpts=3))

# NOTE: `auto_scale_lr.base_batch_size` = 8 GPUs x 64.
auto_scale_lr = dict(base_batch_size=512)
