"""Build examples: NPID, RelativeLoc, RotationPred, SwAV queue and momentum
hooks (issue 4)."""
_BACKBONE = dict(type='ResNet_CIFAR', depth=18, stem_channels=8,
                 base_channels=8)

EXAMPLES = {
    'MODELS': {
        'NPID': dict(
            type='NPID', neg_num=16, backbone=_BACKBONE,
            neck=dict(type='LinearNeck', in_channels=64, out_channels=8,
                      gap_dim=2, norm_cfg=None),
            head=dict(type='ContrastiveHead',
                      loss=dict(type='CrossEntropyLoss'), temperature=0.07),
            memory_bank=dict(type='SimpleMemory', length=32, feat_dim=8)),
        'SimpleMemory': dict(type='SimpleMemory', length=32, feat_dim=8),
        'RotationPred': dict(
            type='RotationPred', backbone=_BACKBONE,
            data_preprocessor=dict(type='RotationPredDataPreprocessor'),
            head=dict(type='PretextClsHead', in_channels=64, num_classes=4)),
        'RelativeLoc': dict(
            type='RelativeLoc', backbone=_BACKBONE,
            data_preprocessor=dict(type='RelativeLocDataPreprocessor'),
            neck=dict(type='RelativeLocNeck', in_channels=64,
                      out_channels=32),
            head=dict(type='PretextClsHead', in_channels=32, num_classes=8,
                      with_avg_pool=False)),
        'RotationPredDataPreprocessor': dict(
            type='RotationPredDataPreprocessor', mean=[0.] * 3,
            std=[1.] * 3),
        'RelativeLocDataPreprocessor': dict(
            type='RelativeLocDataPreprocessor', mean=[0.] * 3, std=[1.] * 3),
        'PretextClsHead': dict(type='PretextClsHead', in_channels=16,
                               num_classes=4),
        'RelativeLocNeck': dict(type='RelativeLocNeck', in_channels=16,
                                out_channels=32),
    },
    'HOOKS': {
        'SwAVQueueHook': dict(type='SwAVQueueHook', queue_length=64,
                              frozen_layers_cfg=dict(prototypes=10)),
        'MomentumUpdateHook': dict(type='MomentumUpdateHook', end_tau=1.0),
        'MemoryBankCheckHook': dict(type='MemoryBankCheckHook'),
        'AtomicCheckpointHook': dict(type='AtomicCheckpointHook', interval=1,
                                     max_keep_ckpts=1),
        'RNGStateHook': dict(type='RNGStateHook'),
    },
    'TRANSFORMS': {
        'RotationViews': dict(type='RotationViews'),
        'RelativeLocPatches': dict(type='RelativeLocPatches', patch_size=8,
                                   crop_size=30),
    },
}
