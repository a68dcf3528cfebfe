# Supervised upper bound for the Fashion-MNIST quality tables: the demo's
# backbone (narrow CIFAR-stem ResNet-18) trained with labels on the same
# budget as the demo's SimCLR run (300 iterations x 256 images, AdamW, warm-up
# + cosine, seed 0). Its checkpoint has the same `backbone.` keys as the
# self-supervised ones, so every benchmark config loads it the same way.
#   mim train mmpretrain configs/supervised/<this file> --work-dir work_dirs/sup
_base_ = [
    '../benchmarks/classification/_base_/fashion-mnist_cls_32px.py',
    '../_base_/datasets/fashion-mnist_knn.py',
    '../_base_/default_runtime.py',
]

data_preprocessor = {{_base_.fmnist_preprocessor}}
model = dict(
    type='ImageClassifier',
    backbone=dict(
        type='ResNet_CIFAR',
        depth=18,
        in_channels=3,
        stem_channels=16,
        base_channels=16,
        zero_init_residual=True),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=10,
        in_channels=128,
        loss=dict(type='CrossEntropyLoss'),
        topk=(1, )))

train_dataloader = dict(
    batch_size=256,
    num_workers=1,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        type='CustomDataset',
        data_root={{_base_.fmnist_root}},
        ann_file='meta/train.txt',
        pipeline={{_base_.fmnist_train_pipeline}}))

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
