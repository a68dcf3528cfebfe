# Global-average-pool linear evaluation on ImageNet-1k (feat5 + avgpool),
# mmpretrain's MoCo v2 recipe: SGD lr 30, no weight decay, steps at 60/80.
_base_ = [
    '../_base_/linear_resnet50.py',
    'mmpretrain::_base_/datasets/imagenet_bs32_pil_resize.py',
    'mmpretrain::_base_/schedules/imagenet_sgd_steplr_100e.py',
    'mmpretrain::_base_/default_runtime.py',
]
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=30., momentum=0.9, weight_decay=0.))
default_hooks = dict(
    checkpoint=dict(type='CheckpointHook', interval=10, max_keep_ckpts=3))
