_base_ = [
    './_base_/resnet_tiny_cls.py',
    './_base_/tiny_cls.py',
    './_base_/default_runtime.py',
]
model = dict(backbone=dict(norm_cfg=dict(type='SyncBN')))
data = dict(
    samples_per_gpu=8,
    train=dict(data_source=dict(ann_file='data/tiny/meta/train_10pct.txt')))
optimizer = dict(
    type='SGD',
    lr=0.1,
    momentum=0.9,
    weight_decay=1e-4,
    paramwise_options={'\\Ahead.': dict(lr_mult=10)})
lr_config = dict(policy='step', step=[12, 16], gamma=0.2)
runner = dict(type='EpochBasedRunner', max_epochs=1)
checkpoint_config = dict(interval=10)
log_config = dict(
    interval=10,
    hooks=[dict(type='TextLoggerHook'),
           dict(type='TensorboardLoggerHook')])
