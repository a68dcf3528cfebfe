# SimCLR on Fashion-MNIST with a narrow CIFAR-stem ResNet-18 and the
# per-sample pipeline: the demo until 2026-11-26 (now its batched twin,
# ...-450i_fashion-mnist_batched-aug.py); ~1.3 s per iteration on 2 CPU
# cores (6.5 min). Run it through mmpretrain:
#   mim train mmpretrain configs/simclr/<this file> --work-dir work_dirs/demo
_base_ = [
    '../_base_/datasets/fashion-mnist_simclr.py',
    '../_base_/datasets/fashion-mnist_knn.py',
    '../_base_/default_runtime.py',
]

model = dict(
    type='SimCLR',
    backbone=dict(
        type='ResNet_CIFAR',
        depth=18,
        in_channels=3,
        stem_channels=16,
        base_channels=16,
        zero_init_residual=True),
    neck=dict(
        type='NonLinearNeck',
        in_channels=128,
        hid_channels=512,
        out_channels=128,
        num_layers=2,
        with_avg_pool=True),
    head=dict(
        type='ContrastiveHead',
        loss=dict(type='CrossEntropyLoss'),
        temperature=0.5),
)

max_iters = 300
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=2e-3, weight_decay=1e-4))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=30),
    dict(type='CosineAnnealingLR', T_max=max_iters - 30, eta_min=1e-5,
         by_epoch=False, begin=30, end=max_iters),
]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters)

default_hooks = dict(
    logger=dict(type='LoggerHook', interval=20),
    checkpoint=dict(interval=max_iters, by_epoch=False, max_keep_ckpts=1))
log_processor = dict(by_epoch=False)
randomness = dict(seed=0, deterministic=False)
