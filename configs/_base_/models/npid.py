# NPID (https://arxiv.org/abs/1805.01978): ResNet-50, linear neck to 128
# dims, 65,536 negatives per sample drawn from a memory bank (momentum 0.5),
# NCE-free softmax over them at T=0.07. Configs set the input normalisation
# (`data_preprocessor`) and `memory_bank.length` (one row per training
# image).
model = dict(
    type='NPID',
    neg_num=65536,
    ensure_neg=False,
    backbone=dict(
        type='ResNet',
        depth=50,
        in_channels=3,
        out_indices=[3],
        norm_cfg=dict(type='SyncBN')),
    neck=dict(
        type='LinearNeck', in_channels=2048, out_channels=128, gap_dim=2,
        norm_cfg=None),
    head=dict(
        type='ContrastiveHead',
        loss=dict(type='CrossEntropyLoss'),
        temperature=0.07),
    memory_bank=dict(type='SimpleMemory', feat_dim=128, momentum=0.5))
