"""Build examples for the evaluation suite (multi-head linear protocol)."""
EXAMPLES = {
    'MODELS': {
        'ResNetFeats': dict(type='ResNetFeats', depth=18, stem_channels=8,
                            base_channels=8, out_indices=(0, 1, 2, 3, 4)),
        'ResNetFeats_CIFAR': dict(type='ResNetFeats_CIFAR', depth=18,
                                  stem_channels=8, base_channels=8),
        'MultiPooling': dict(type='MultiPooling', pool_type='adaptive',
                             pool_sizes=(4, 4, 2, 2, 1)),
        'MultiClsHead': dict(type='MultiClsHead', num_classes=10,
                             in_channels=(8, 8, 16, 32, 64),
                             pool_sizes=(4, 4, 2, 2, 1)),
        'SobelClsDataPreprocessor': dict(
            type='SobelClsDataPreprocessor', mean=[72.9] * 3, std=[90.] * 3,
            num_classes=10),
    },
    'METRICS': {
        'MultiHeadAccuracy': dict(type='MultiHeadAccuracy', topk=(1, 5)),
    },
}
