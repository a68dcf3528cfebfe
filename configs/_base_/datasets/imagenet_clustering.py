# ImageNet for the clustering methods (DeepCluster, ODC; MMSelfSup's
# recipes): the training augmentation and the deterministic view of every
# training image that the clustering hook extracts features from. The
# algorithms' data files set how training images are drawn.
_base_ = './imagenet.py'

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
# deterministic view of every training image for clustering
extract_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='ResizeEdge', scale=256, edge='short', backend='pillow'),
    dict(type='CenterCrop', crop_size=224),
    dict(type='PackInputs'),
]

extract_dataloader = dict(
    batch_size=128,
    num_workers=8,
    dataset=dict(
        type=_base_.dataset_type, data_root=_base_.data_root, split='train',
        pipeline=extract_pipeline))
