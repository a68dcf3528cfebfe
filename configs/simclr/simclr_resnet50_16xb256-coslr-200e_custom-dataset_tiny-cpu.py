# CPU-sized sibling of simclr_resnet50_16xb256-coslr-200e_custom-dataset.py:
# same recipe (LARS, SyncBN, 2 views) with a narrow ResNet-18, 32 px, batch 8.
_base_ = './simclr_resnet50_16xb256-coslr-200e_custom-dataset.py'

model = dict(
    backbone=dict(depth=18, base_channels=16, stem_channels=16),
    neck=dict(in_channels=128, hid_channels=128, out_channels=32))

view_pipeline = [
    dict(type='RandomResizedCrop', scale=32, backend='pillow'),
    dict(type='RandomFlip', prob=0.5),
    dict(type='RandomApply',
         transforms=[dict(type='ColorJitter', brightness=0.8, contrast=0.8,
                          saturation=0.8, hue=0.2)],
         prob=0.8),
    dict(type='RandomGrayscale', prob=0.2, keep_channels=True,
         channel_weights=(0.114, 0.587, 0.2989)),
]
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='MultiView', num_views=2, transforms=[view_pipeline]),
    dict(type='PackInputs'),
]
train_dataloader = dict(batch_size=8, num_workers=0, persistent_workers=False,
                        dataset=dict(pipeline=train_pipeline))
train_cfg = dict(max_epochs=2)
