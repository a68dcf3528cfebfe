# ImageNet for NPID (MMSelfSup's recipe): one view per image, random crop
# (20-100 % of the area), grayscale, strong colour jitter, flip; 32 images
# per GPU.
_base_ = './imagenet.py'

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomResizedCrop', scale=224, crop_ratio_range=(0.2, 1.),
         backend='pillow'),
    dict(type='RandomGrayscale', prob=0.2, keep_channels=True,
         channel_weights=(0.114, 0.587, 0.2989)),
    dict(type='ColorJitter', brightness=0.4, contrast=0.4, saturation=0.4,
         hue=0.4),
    dict(type='RandomFlip', prob=0.5),
    # PackInputs keeps `sample_idx` (the bank row) in the data sample.
    dict(type='PackInputs'),
]
train_dataloader = dict(batch_size=32, dataset=dict(pipeline=train_pipeline))
