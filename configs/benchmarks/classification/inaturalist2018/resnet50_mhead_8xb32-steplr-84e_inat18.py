# Multi-head linear evaluation on iNaturalist 2018 (8142 classes), 84 epochs.
# Data: a CustomDataset with "path label" lists, e.g. written by mmpretrain's
# tools/dataset_converters/convert_inaturalist.py from train2018.json/val2018.json.
# MMSelfSup's iNat18 recipe: RandomResizedCrop 224 and flip only (no colour
# jitter or lighting noise, unlike its ImageNet multi-head config).
_base_ = '../imagenet/resnet50_mhead_8xb32-steplr-90e_in1k.py'
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomResizedCrop', scale=224, backend='pillow'),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
]
data_preprocessor = dict(num_classes=8142)
model = dict(head=dict(num_classes=8142))
train_dataloader = dict(
    dataset=dict(_delete_=True, type='CustomDataset',
                 data_root='data/inaturalist2018',
                 ann_file='meta/train.txt', data_prefix='',
                 pipeline=train_pipeline))
val_dataloader = dict(
    dataset=dict(_delete_=True, type='CustomDataset',
                 data_root='data/inaturalist2018',
                 ann_file='meta/val.txt', data_prefix='',
                 pipeline={{_base_.test_pipeline}}))
test_dataloader = val_dataloader
param_scheduler = [
    dict(type='MultiStepLR', by_epoch=True, milestones=[24, 48, 72],
         gamma=0.1)
]
train_cfg = dict(max_epochs=84, val_interval=12)
