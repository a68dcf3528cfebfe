# The demo with batched augmentation: the dataloader only decodes the
# (28 x 28) PNGs; BatchedAugDataPreprocessor makes both SimCLR views of the
# whole batch on the model's device, with the same transforms and parameter
# distributions as the per-sample pipeline (docs/batched_augmentation.md).
#   mim train mmpretrain configs/simclr/<this file> --work-dir work_dirs/demo
_base_ = './simclr_resnet18-cifar-w16_1xb256-adamw-coslr-300i_fashion-mnist.py'

data_preprocessor = dict(type='BatchedAugDataPreprocessor',
                         views={{_base_.train_pipeline}})
# Fashion-MNIST images all have one size: nothing to resize
train_dataloader = dict(dataset=dict(pipeline=[
    dict(type='LoadImageFromFile'),
    dict(type='PackInputs'),
]))
