# Mask R-CNN R50-FPN, 1x schedule on COCO, multi-scale training: the seeds'
# detection transfer protocol (SyncBN in backbone, neck and heads, no frozen
# stages, BN statistics updated, 4conv1fc box head).
#
# Run with the backbone initialised from extracted weights:
#   bash benchmarks/mmdetection/mim_dist_train.sh \
#       configs/benchmarks/mmdetection/coco/mask-rcnn_r50-fpn_ms-1x_coco.py \
#       ${PRETRAIN} 8
# The launcher adds model.backbone.init_cfg=Pretrained(${PRETRAIN}); this file
# alone trains from random init (the baseline), so the backbone is restated
# without mmdet's torchvision init_cfg.
_base_ = 'mmdet::mask_rcnn/mask-rcnn_r50_fpn_1x_coco.py'

# mmssl_ext makes checkpoints saved by mmengine loadable under torch's
# weights_only default, so PRETRAIN may also be a whole pretraining checkpoint.
custom_imports = dict(imports=['mmssl_ext'], allow_failed_imports=False)

norm_cfg = dict(type='SyncBN', requires_grad=True)
model = dict(
    backbone=dict(
        _delete_=True,
        type='ResNet',
        depth=50,
        num_stages=4,
        out_indices=(0, 1, 2, 3),
        frozen_stages=-1,
        norm_cfg=norm_cfg,
        norm_eval=False,
        style='pytorch'),
    neck=dict(norm_cfg=norm_cfg),
    roi_head=dict(
        bbox_head=dict(type='Shared4Conv1FCBBoxHead', norm_cfg=norm_cfg),
        mask_head=dict(norm_cfg=norm_cfg)))

train_pipeline = [
    dict(type='LoadImageFromFile', backend_args={{_base_.backend_args}}),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(
        type='RandomChoiceResize',
        scales=[(1333, 640), (1333, 672), (1333, 704), (1333, 736),
                (1333, 768), (1333, 800)],
        keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs')
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
