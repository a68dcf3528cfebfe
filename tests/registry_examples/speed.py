"""Build examples for the batched-augmentation modules."""

EXAMPLES = {
    'MODELS': {
        'BatchedAugDataPreprocessor': dict(
            type='BatchedAugDataPreprocessor',
            views=dict(num_views=2, transforms=[[
                dict(type='RandomResizedCrop', scale=8),
                dict(type='RandomFlip', prob=0.5)]]),
            mean=[72.9] * 3, std=[90.] * 3),
    },
}
