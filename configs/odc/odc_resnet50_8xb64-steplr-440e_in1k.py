# ODC (https://arxiv.org/abs/2006.10645), MMSelfSup's recipe of the same
# name: ResNet-50 with SyncBN, neck 2048 -> 512 -> 256, 10,000 clusters,
# memory momentum 0.5, 8 GPUs x 64 drawn with replacement, SGD lr 0.06 (head
# without momentum), 440 epochs. The memory is initialised by one k-means of
# the whole set (no PCA) before training; afterwards labels evolve online.
_base_ = 'mmpretrain::_base_/default_runtime.py'
custom_imports = dict(imports=['mmssl_ext'], allow_failed_imports=False)

# dataset settings
dataset_type = 'ImageNet'
data_root = 'data/imagenet/'
num_classes = 10000
num_train_samples = 1281167  # memory rows = len(train dataset)
data_preprocessor = dict(
    type='SelfSupDataPreprocessor',
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    to_rgb=True)

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomResizedCrop', scale=224, backend='pillow'),
    dict(type='RandomFlip', prob=0.5),
    # uniform in [-2, 2] degrees, nearest, corners filled with 0 (MMSelfSup)
    dict(type='RandomRotation', degrees=2),
    dict(type='ColorJitter', brightness=0.4, contrast=0.4, saturation=1.0,
         hue=0.5),
    # luma weights on the BGR image (torchvision's RandomGrayscale in 0.x)
    dict(type='RandomGrayscale', prob=0.2, keep_channels=True,
         channel_weights=(0.114, 0.587, 0.2989)),
    # PackInputs keeps `sample_idx` (the memory row) in the data sample.
    dict(type='PackInputs'),
]
extract_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='ResizeEdge', scale=256, edge='short', backend='pillow'),
    dict(type='CenterCrop', crop_size=224),
    dict(type='PackInputs'),
]

train_dataloader = dict(
    batch_size=64,
    num_workers=4,
    drop_last=True,
    persistent_workers=True,
    # random draws with replacement, as MMSelfSup's ODC (replace=True)
    sampler=dict(type='ClusterBalancedSampler', replace=True),
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        type=dataset_type, data_root=data_root, split='train',
        pipeline=train_pipeline))

extract_dataloader = dict(
    batch_size=128,
    num_workers=8,
    dataset=dict(
        type=dataset_type, data_root=data_root, split='train',
        pipeline=extract_pipeline))

# model settings
model = dict(
    type='ODC',
    data_preprocessor=data_preprocessor,
    backbone=dict(
        type='ResNet',
        depth=50,
        in_channels=3,
        out_indices=[3],
        norm_cfg=dict(type='SyncBN')),
    neck=dict(
        type='ODCNeck',
        in_channels=2048,
        hid_channels=512,
        out_channels=256,
        with_avg_pool=True,
        norm_cfg=dict(type='SyncBN')),
    head=dict(type='ClusterHead', in_channels=256, num_classes=num_classes),
    memory_bank=dict(
        type='ODCMemory',
        length=num_train_samples,
        feat_dim=256,
        momentum=0.5,
        num_classes=num_classes,
        min_cluster=20))

# every rank keeps identical banks itself; re-broadcasting 1.3 GB of
# buffers from rank 0 at every forward would be wasted traffic
model_wrapper_cfg = dict(
    type='MMDistributedDataParallel', broadcast_buffers=False)

custom_hooks = [
    dict(
        type='DeepClusterHook',
        extract_dataloader=extract_dataloader,
        num_clusters=num_classes,
        pca_dim=-1,  # ODC initialises from L2-normalised neck features
        kmeans_iters=20,
        balanced_sampling=False,
        reweight=True,
        reweight_pow=0.5,
        init_memory=True,
        initial=True,
        interval=10**9,  # only once, before training
        seed=0),
    dict(
        type='ODCHook',
        centroids_update_interval=10,
        deal_with_small_clusters_interval=1,
        evaluate_interval=50,
        reweight=True,
        reweight_pow=0.5,
        save_labels_interval=10)
]

# optimizer: the head trains without momentum, as MMSelfSup (custom_keys
# matches substrings: 'head.' is the head only)
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.06, momentum=0.9, weight_decay=1e-5),
    paramwise_cfg=dict(custom_keys={'head.': dict(momentum=0.)}))

# learning policy (a step beyond the last epoch: constant lr, as MMSelfSup)
param_scheduler = [
    dict(type='MultiStepLR', by_epoch=True, milestones=[400], gamma=0.4)
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=440)

default_hooks = dict(
    checkpoint=dict(type='CheckpointHook', interval=10, max_keep_ckpts=3))

# NOTE: `auto_scale_lr.base_batch_size` = 8 GPUs x 64.
auto_scale_lr = dict(base_batch_size=512)
