# Supervised upper bound for the transfer table: the backbone of the CPU-sized
# transfer benchmarks (ResNet-18, ImageNet stem, base width 16) trained with
# labels at 56 px on the budget of
# ../simclr/simclr_resnet18-w16_1xb256-adamw-coslr-300i_fashion-mnist-56px.py.
#   mim train mmpretrain configs/supervised/<this file> --work-dir work_dirs/sup_r18w16
_base_ = './resnet18-cifar-w16_1xb256-adamw-coslr-300i_fashion-mnist.py'

crop_size = 56
train_dataloader = dict(
    dataset=dict(pipeline=[
        dict(type='LoadImageFromFile'),
        dict(type='RandomResizedCrop', scale=crop_size,
             crop_ratio_range=(0.5, 1.0), backend='cv2'),
        dict(type='RandomFlip', prob=0.5, direction='horizontal'),
        dict(type='PackInputs'),
    ]))
model = dict(
    backbone=dict(
        _delete_=True,
        type='ResNet',
        depth=18,
        in_channels=3,
        stem_channels=16,  # mmdet's ResNet: stem width = base width
        base_channels=16,
        zero_init_residual=True))
knn_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=crop_size, backend='cv2'),
    dict(type='PackInputs'),
]
knn_train_dataloader = dict(dataset=dict(pipeline=knn_pipeline))
knn_test_dataloader = dict(dataset=dict(pipeline=knn_pipeline))
