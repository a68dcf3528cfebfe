# Multi-head linear evaluation on Places205 (feat1-feat5), 28 epochs.
# Data: mmpretrain Places205 dataset: data/places205/{train,val}/ and
# meta/{train,val}.txt ("path label" lines).
_base_ = '../imagenet/resnet50_mhead_8xb32-steplr-90e_in1k.py'
data_preprocessor = dict(num_classes=205)
model = dict(head=dict(num_classes=205))
train_dataloader = dict(
    dataset=dict(_delete_=True, type='Places205', data_root='data/places205',
                 ann_file='meta/train.txt', data_prefix='train',
                 pipeline={{_base_.train_pipeline}}))
val_dataloader = dict(
    dataset=dict(_delete_=True, type='Places205', data_root='data/places205',
                 ann_file='meta/val.txt', data_prefix='val',
                 pipeline={{_base_.test_pipeline}}))
test_dataloader = val_dataloader
param_scheduler = [
    dict(type='MultiStepLR', by_epoch=True, milestones=[7, 14, 21], gamma=0.1)
]
train_cfg = dict(max_epochs=28, val_interval=4)
