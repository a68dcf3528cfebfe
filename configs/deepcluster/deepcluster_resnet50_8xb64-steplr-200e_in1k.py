# DeepCluster (https://arxiv.org/abs/1807.05520), MMSelfSup's recipe of the
# same name: RGB input + ResNet-50, 8 GPUs x 64, SGD lr 0.1 (head without
# momentum: it is re-initialised at every clustering), 10,000 k-means
# clusters of PCA-256-whitened features re-computed every epoch,
# cluster-balanced sampling, unweighted loss. The Sobel variant (MMSelfSup's
# published checkpoint):
# deepcluster-sobel_resnet50_8xb64-steplr-200e_in1k.py.
_base_ = 'mmpretrain::_base_/default_runtime.py'
custom_imports = dict(imports=['mmssl_ext'], allow_failed_imports=False)

# dataset settings
dataset_type = 'ImageNet'
data_root = 'data/imagenet/'
num_clusters = 10000
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
    num_workers=4,
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
        in_channels=3,
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
        reweight=False,  # MMSelfSup: balanced sampling only; True adds
        reweight_pow=0.5,  # inverse-frequency loss weights on top
        initial=True,
        interval=1,
        seed=0)
]

# optimizer: the head, re-initialised at every clustering, trains without
# momentum (custom_keys matches substrings: 'head.' is the head only)
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=1e-5),
    paramwise_cfg=dict(custom_keys={'head.': dict(momentum=0.)}))

# learning policy (a step beyond the last epoch: constant lr, as MMSelfSup)
param_scheduler = [
    dict(type='MultiStepLR', by_epoch=True, milestones=[400], gamma=0.1)
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=200)

default_hooks = dict(
    checkpoint=dict(type='CheckpointHook', interval=10, max_keep_ckpts=3))

# NOTE: `auto_scale_lr.base_batch_size` = 8 GPUs x 64.
auto_scale_lr = dict(base_batch_size=512)
