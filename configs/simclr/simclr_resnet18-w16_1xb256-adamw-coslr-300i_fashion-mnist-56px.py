# The demo's SimCLR recipe with the backbone the CPU-sized transfer
# benchmarks take (configs/benchmarks/mmdetection|mmsegmentation/fashion-mnist:
# ResNet-18, ImageNet stem, base width 16) at 56 px, the largest item size on
# the synthetic canvases. Only the backbone and the crop size differ from
# ./simclr_resnet18-cifar-w16_1xb256-adamw-coslr-300i_fashion-mnist.py.
#   mim train mmpretrain configs/simclr/<this file> --work-dir work_dirs/simclr_r18w16
_base_ = './simclr_resnet18-cifar-w16_1xb256-adamw-coslr-300i_fashion-mnist.py'

crop_size = 56
view_pipeline = [
    dict(type='RandomResizedCrop', scale=crop_size,
         crop_ratio_range=(0.2, 1.0), backend='cv2'),
    dict(type='RandomFlip', prob=0.5),
    dict(
        type='RandomApply',
        transforms=[
            dict(type='ColorJitter', brightness=0.4, contrast=0.4,
                 saturation=0.4, hue=0.1)
        ],
        prob=0.8),
]
train_dataloader = dict(
    dataset=dict(pipeline=[
        dict(type='LoadImageFromFile'),
        dict(type='MultiView', num_views=2, transforms=[view_pipeline]),
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
# kNN monitoring/benchmark at the same resolution
knn_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=crop_size, backend='cv2'),
    dict(type='PackInputs'),
]
knn_train_dataloader = dict(dataset=dict(pipeline=knn_pipeline))
knn_test_dataloader = dict(dataset=dict(pipeline=knn_pipeline))
