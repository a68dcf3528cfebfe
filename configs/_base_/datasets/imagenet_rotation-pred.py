# ImageNet for rotation prediction (MMSelfSup's recipe): a random crop and
# flip, then the four rotations (0/90/180/270 degrees) of it as one sample;
# 16 images (64 views) per GPU.
_base_ = './imagenet.py'

data_preprocessor = dict(type='RotationPredDataPreprocessor')
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomResizedCrop', scale=224, backend='pillow'),
    dict(type='RandomFlip', prob=0.5),
    dict(type='RotationViews'),
    dict(type='PackInputs', algorithm_keys=['rot_label']),
]
train_dataloader = dict(batch_size=16, dataset=dict(pipeline=train_pipeline))
