# ./simclr_resnet50_16xb256-coslr-200e_custom-dataset_tiny-cpu.py with
# batched augmentation. Images of a custom folder differ in size: the loader
# stretches them to one canvas (64 x 64) and PackInputs keeps their original
# size (ori_shape), from which the crops are drawn, so crop areas and aspect
# ratios are those of the per-sample pipeline (docs/batched_augmentation.md).
_base_ = './simclr_resnet50_16xb256-coslr-200e_custom-dataset_tiny-cpu.py'

data_preprocessor = dict(type='BatchedAugDataPreprocessor',
                         views={{_base_.train_pipeline}})
train_dataloader = dict(dataset=dict(pipeline=[
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(64, 64), keep_ratio=False,
         interpolation='area'),
    dict(type='PackInputs'),
]))
