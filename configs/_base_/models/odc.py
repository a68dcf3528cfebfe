# ODC (https://arxiv.org/abs/2006.10645): ResNet-50 with SyncBN, neck
# 2048 -> 512 -> 256, a linear classifier of the online pseudo-labels and a
# memory of every sample's feature and label (momentum 0.5). Configs set
# `data_preprocessor`, the number of clusters (`head.num_classes`,
# `memory_bank.num_classes`) and `memory_bank.length` (one row per training
# image).
model = dict(
    type='ODC',
    backbone=dict(
        type='ResNet',
        depth=50,
        in_channels=3,
        out_indices=[3],
        norm_cfg=dict(type='SyncBN')),
    neck=dict(
        type='ODCNeck',
        in_channels=2048,
        hid_channels=512,
        out_channels=256,
        with_avg_pool=True,
        norm_cfg=dict(type='SyncBN')),
    head=dict(type='ClusterHead', in_channels=256),
    memory_bank=dict(
        type='ODCMemory',
        feat_dim=256,
        momentum=0.5,
        min_cluster=20))

# every rank keeps identical banks itself; re-broadcasting 1.3 GB of
# buffers from rank 0 at every forward would be wasted traffic
model_wrapper_cfg = dict(
    type='MMDistributedDataParallel', broadcast_buffers=False)
