# DeepCluster (https://arxiv.org/abs/1807.05520): ResNet-50, global average
# pooling and a linear classifier of the k-means pseudo-labels. Configs set
# `data_preprocessor` and `head.num_classes` (the number of clusters).
model = dict(
    type='DeepCluster',
    backbone=dict(
        type='ResNet',
        depth=50,
        in_channels=3,
        out_indices=[3],
        norm_cfg=dict(type='BN')),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(type='ClusterHead', in_channels=2048))
