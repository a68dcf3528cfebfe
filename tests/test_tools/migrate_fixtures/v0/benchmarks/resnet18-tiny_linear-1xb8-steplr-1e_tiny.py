_base_ = [
    './_base_/resnet_tiny_cls.py',
    './_base_/tiny_cls.py',
    './_base_/default_runtime.py',
]
model = dict(backbone=dict(frozen_stages=4))
evaluation = dict(interval=1, topk=(1, ))
optimizer = dict(type='SGD', lr=30., momentum=0.9, weight_decay=0.)
lr_config = dict(policy='step', step=[60, 80])
runner = dict(type='EpochBasedRunner', max_epochs=1)
checkpoint_config = dict(interval=10, max_keep_ckpts=3)
