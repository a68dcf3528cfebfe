# Multi-head linear evaluation on ImageNet-1k (feat1-feat5), 90 epochs,
# MMSelfSup's schedule: SGD lr 0.01, momentum 0.9, wd 1e-4, x0.1 at 30/60.
_base_ = [
    '../_base_/mhead_resnet50.py',
    'mmpretrain::_base_/datasets/imagenet_bs32_pil_resize.py',
    'mmpretrain::_base_/default_runtime.py',
]
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=1e-4),
    paramwise_cfg=dict(norm_decay_mult=0.0))
param_scheduler = [
    dict(type='MultiStepLR', by_epoch=True, milestones=[30, 60], gamma=0.1)
]
train_cfg = dict(by_epoch=True, max_epochs=90, val_interval=10)
val_cfg = dict()
test_cfg = dict()
default_hooks = dict(
    checkpoint=dict(type='CheckpointHook', interval=10, max_keep_ckpts=3))
# Every head's accuracy is logged as multi_head/feat<i>_top<k>.
val_evaluator = dict(_delete_=True, type='MultiHeadAccuracy', topk=(1, 5))
test_evaluator = val_evaluator
