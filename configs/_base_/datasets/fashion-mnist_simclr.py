# Fashion-MNIST (tools/dataset_converters/prepare_classification_data.py) as
# an unlabeled CustomDataset, two SimCLR views per image at 32 px.
dataset_type = 'CustomDataset'
data_root = 'data/fashion_mnist/'

# The PNGs are grayscale; they are loaded as 3 identical channels so that the
# standard colour pipeline (and ImageNet-shaped backbones) apply unchanged.
data_preprocessor = dict(
    type='SelfSupDataPreprocessor',
    mean=[72.9, 72.9, 72.9],
    std=[90.0, 90.0, 90.0],
    to_rgb=False)

view_pipeline = [
    dict(type='RandomResizedCrop', scale=32, crop_ratio_range=(0.2, 1.0),
         backend='cv2'),
    dict(type='RandomFlip', prob=0.5),
    dict(
        type='RandomApply',
        transforms=[
            dict(type='ColorJitter', brightness=0.4, contrast=0.4,
                 saturation=0.4, hue=0.1)
        ],
        prob=0.8),
]

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='MultiView', num_views=2, transforms=[view_pipeline]),
    dict(type='PackInputs'),
]

train_dataloader = dict(
    batch_size=256,
    num_workers=1,
    persistent_workers=True,
    pin_memory=False,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='meta/unlabeled.txt',
        with_label=False,
        pipeline=train_pipeline))
