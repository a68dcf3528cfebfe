# CPU-sized sibling of ../coco/mask-rcnn_r50-fpn_ms-1x_coco.py: the same
# recipe with a narrow ResNet-18 (base width 16), narrow FPN/heads, 128 px
# canvases and an iteration schedule, on the Fashion-MNIST instance set made by
#   python tools/dataset_converters/make_fashion_mnist_coco.py data/fashion_mnist_coco
# (run from the folder holding data/, or override the data_root keys).
# PRETRAIN must come from a ResNet(depth=18, base_channels=16) backbone.
_base_ = '../coco/mask-rcnn_r50-fpn_ms-1x_coco.py'

width = 32  # FPN / head width (256 in the full config)
# Normalise as the pretraining did (configs/_base_/datasets/fashion-mnist_simclr.py
# and the supervised 56 px config: grey, mean 72.9, std 90), as the seeds'
# protocols normalise as their ImageNet pretraining did.
fmnist_norm = dict(mean=[72.9, 72.9, 72.9], std=[90.0, 90.0, 90.0],
                   bgr_to_rgb=False)
model = dict(
    data_preprocessor=dict(**fmnist_norm),
    backbone=dict(depth=18, base_channels=16),
    neck=dict(in_channels=[16, 32, 64, 128], out_channels=width),
    rpn_head=dict(in_channels=width, feat_channels=width),
    roi_head=dict(
        bbox_roi_extractor=dict(out_channels=width),
        bbox_head=dict(
            in_channels=width,
            conv_out_channels=width,
            fc_out_channels=64,
            num_classes=10),
        mask_roi_extractor=dict(out_channels=width),
        mask_head=dict(
            in_channels=width, conv_out_channels=width, num_classes=10)),
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
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(
        type='RandomChoiceResize',
        scales=[(213, 96), (213, 112), (213, 128)],
        keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(213, 128), keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
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
        data_root=data_root,
        metainfo=metainfo,
        ann_file='annotations/instances_val.json',
        data_prefix=dict(img='images/val/'),
        pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(ann_file=data_root + 'annotations/instances_val.json')
test_evaluator = val_evaluator

# Iteration schedule sized for a CPU (the 1x COCO schedule is epoch-based).
max_iters = 2000
train_cfg = dict(
    _delete_=True,
    type='IterBasedTrainLoop',
    max_iters=max_iters,
    val_interval=500)
param_scheduler = [
    dict(
        type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=50),
    dict(
        type='MultiStepLR',
        begin=0,
        end=max_iters,
        by_epoch=False,
        milestones=[1500, 1800],
        gamma=0.1)
]
default_hooks = dict(
    logger=dict(interval=10),
    checkpoint=dict(by_epoch=False, interval=500))
log_processor = dict(by_epoch=False)
auto_scale_lr = dict(enable=False, base_batch_size=16)
