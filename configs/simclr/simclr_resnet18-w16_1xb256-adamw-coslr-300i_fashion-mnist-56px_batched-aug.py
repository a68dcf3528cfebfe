# ./simclr_resnet18-w16_1xb256-adamw-coslr-300i_fashion-mnist-56px.py with
# batched augmentation on the model's device (docs/batched_augmentation.md).
_base_ = './simclr_resnet18-w16_1xb256-adamw-coslr-300i_fashion-mnist-56px.py'

data_preprocessor = dict(
    type='BatchedAugDataPreprocessor',
    views=dict(num_views=2, transforms=[{{_base_.view_pipeline}}]))
train_dataloader = dict(dataset=dict(pipeline=[
    dict(type='LoadImageFromFile'),
    dict(type='PackInputs'),
]))
