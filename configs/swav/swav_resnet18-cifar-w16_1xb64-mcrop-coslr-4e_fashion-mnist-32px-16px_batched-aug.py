# ./swav_resnet18-cifar-w16_1xb64-mcrop-coslr-4e_fashion-mnist-32px-16px.py
# with the 2 x 32 + 2 x 16 px multi-crop made batched on the model's device
# (docs/batched_augmentation.md). SwAV sets model.data_preprocessor, so the
# switch goes there.
_base_ = './swav_resnet18-cifar-w16_1xb64-mcrop-coslr-4e_fashion-mnist-32px-16px.py'

model = dict(data_preprocessor=dict(type='BatchedAugDataPreprocessor',
                                    views={{_base_.train_pipeline}}))
train_dataloader = dict(dataset=dict(pipeline=[
    dict(type='LoadImageFromFile'),
    dict(type='PackInputs'),
]))
