# MMSelfSup 1.x semi-supervised fine-tuning (10 % of the labels)
_base_ = ['./resnet18-tiny_linear-1xb8-steplr-1e_tiny.py']
model = dict(
    backbone=dict(frozen_stages=-1, norm_cfg=dict(type='SyncBN')))
train_dataloader = dict(dataset=dict(ann_file='meta/train_10pct.txt'))
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=1e-4),
    paramwise_cfg=dict(custom_keys={'head': dict(lr_mult=10)}))
param_scheduler = [
    dict(type='MultiStepLR', by_epoch=True, milestones=[12, 16], gamma=0.2)
]
