# CPU-sized sibling of ../voc0712/faster-rcnn_r50-c4_ms-24k_voc0712.py: the
# same C4 recipe (res5 shared head with extra norm, both from PRETRAIN) with a
# narrow ResNet-18 (base width 16), 128 px canvases and a short schedule, on
# the Fashion-MNIST detection set made by
#   python tools/dataset_converters/make_fashion_mnist_coco.py data/fashion_mnist_coco
# (COCO format, so COCO-style box mAP instead of VOC's).
# PRETRAIN must come from a ResNet(depth=18, base_channels=16) backbone.
_base_ = '../voc0712/faster-rcnn_r50-c4_ms-24k_voc0712.py'

c4 = 64  # res4 width of ResNet-18 with base width 16 (1024 for R50)
# Normalise as the pretraining did (configs/_base_/datasets/fashion-mnist_simclr.py
# and the supervised 56 px config: grey, mean 72.9, std 90), as the seeds'
# protocols normalise as their ImageNet pretraining did.
fmnist_norm = dict(mean=[72.9, 72.9, 72.9], std=[90.0, 90.0, 90.0],
                   bgr_to_rgb=False)
model = dict(
    data_preprocessor=dict(**fmnist_norm),
    backbone=dict(depth=18, base_channels=16),
    rpn_head=dict(in_channels=c4, feat_channels=c4),
    roi_head=dict(
        shared_head=dict(depth=18, base_channels=16),
        bbox_roi_extractor=dict(out_channels=c4),
        bbox_head=dict(in_channels=2 * c4, num_classes=10)),
    # At most 3 items per canvas: far fewer proposals and RoI samples suffice.
    train_cfg=dict(
        rpn=dict(sampler=dict(num=64)),
        rpn_proposal=dict(nms_pre=500, max_per_img=200),
        rcnn=dict(sampler=dict(num=64))),
    test_cfg=dict(
        rpn=dict(nms_pre=300, max_per_img=100), rcnn=dict(max_per_img=20)))

data_root = 'data/fashion_mnist_coco/'
metainfo = dict(
    classes=('t-shirt_top', 'trouser', 'pullover', 'dress', 'coat', 'sandal',
             'shirt', 'sneaker', 'bag', 'ankle_boot'),
    palette=[(220, 20, 60), (119, 11, 32), (0, 0, 142), (0, 0, 230),
             (106, 0, 228), (0, 60, 100), (0, 80, 100), (0, 0, 70),
             (0, 0, 192), (250, 170, 30)])
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(
        type='RandomChoiceResize',
        scales=[(213, 80), (213, 96), (213, 112), (213, 128)],
        keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(213, 128), keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(
        type='PackDetInputs',
        meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                   'scale_factor'))
]
train_dataloader = dict(
    batch_size=4,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(
        _delete_=True,
        type='CocoDataset',
        data_root=data_root,
        metainfo=metainfo,
        ann_file='annotations/instances_train.json',
        data_prefix=dict(img='images/train/'),
        filter_cfg=dict(filter_empty_gt=True, min_size=8),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=4,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(
        _delete_=True,
        type='CocoDataset',
        data_root=data_root,
        metainfo=metainfo,
        ann_file='annotations/instances_val.json',
        data_prefix=dict(img='images/val/'),
        test_mode=True,
        pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(
    _delete_=True,
    type='CocoMetric',
    ann_file=data_root + 'annotations/instances_val.json',
    metric='bbox')
test_evaluator = val_evaluator

max_iter = 2000
train_cfg = dict(max_iters=max_iter, val_interval=500)
param_scheduler = [
    dict(
        type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=50),
    dict(
        type='MultiStepLR',
        begin=0,
        end=max_iter,
        by_epoch=False,
        milestones=[1500, 1800],
        gamma=0.1)
]
default_hooks = dict(
    logger=dict(interval=10), checkpoint=dict(by_epoch=False, interval=500))
