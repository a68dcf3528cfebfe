# Multi-head linear evaluation on Places205 (feat1-feat5), 28 epochs.
# Data: mmpretrain Places205 dataset: data/places205/{train,val}/ and
# meta/{train,val}.txt ("path label" lines).
# MMSelfSup's Places205 recipe: training images resized to short side 256,
# centre-cropped to 256, randomly cropped to 224 and flipped (no colour
# jitter or lighting noise, unlike its ImageNet multi-head config).
_base_ = '../imagenet/resnet50_mhead_8xb32-steplr-90e_in1k.py'
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='ResizeEdge', scale=256, edge='short', backend='pillow'),
    dict(type='CenterCrop', crop_size=256),
    dict(type='RandomCrop', crop_size=224),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
]
data_preprocessor = dict(num_classes=205)
model = dict(head=dict(num_classes=205))
train_dataloader = dict(
    dataset=dict(_delete_=True, type='Places205', data_root='data/places205',
                 ann_file='meta/train.txt', data_prefix='train',
                 pipeline=train_pipeline))
val_dataloader = dict(
    dataset=dict(_delete_=True, type='Places205', data_root='data/places205',
                 ann_file='meta/val.txt', data_prefix='val',
                 pipeline={{_base_.test_pipeline}}))
test_dataloader = val_dataloader
param_scheduler = [
    dict(type='MultiStepLR', by_epoch=True, milestones=[7, 14, 21], gamma=0.1)
]
train_cfg = dict(max_epochs=28, val_interval=4)
