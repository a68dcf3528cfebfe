# Multi-head linear evaluation (feat1-feat5) of a frozen ResNet-50,
# MMSelfSup's protocol: stem (pre max-pool) + 4 stages, average-pooled with
# MMSelfSup's fixed kernels ('specified', for 224 px inputs) to 12/6/4/3/2,
# BN without affine, one linear layer per feature.
# The pretrained backbone is given as backbone init_cfg (see
# benchmarks/classification/dist_train_linear.sh).
custom_imports = dict(imports=['mmssl_ext'], allow_failed_imports=False)
model = dict(
    type='ImageClassifier',
    backbone=dict(
        type='ResNetFeats',
        depth=50,
        in_channels=3,
        out_indices=(0, 1, 2, 3, 4),
        frozen_stages=4,
        norm_eval=True,
        init_cfg=dict(type='Pretrained', checkpoint='', prefix='backbone.')),
    neck=dict(type='MultiPooling', pool_type='specified',
              pool_sizes=(12, 6, 4, 3, 2)),
    head=dict(
        type='MultiClsHead',
        num_classes=1000,
        in_channels=(64, 256, 512, 1024, 2048),
        pool_sizes=(12, 6, 4, 3, 2),
        with_norm=True,
        # MMSelfSup: SyncBN (one set of batch statistics over all GPUs)
        norm_cfg=dict(type='SyncBN', momentum=0.1, affine=False),
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0)))
