# Faster R-CNN R50-C4 on VOC07+12 trainval, 24k iterations, multi-scale
# training (480-800), tested on VOC07 test: the seeds' protocol (MoCo's
# detectron2 C4 setting): SyncBN everywhere, no frozen stages, BN statistics
# updated, pytorch-style blocks and RGB ImageNet normalisation (mmdet's base
# is a caffe-style model), and the res5 shared head followed by an extra norm.
#
# Both the backbone (res2-res4) and the res5 shared head come from ${PRETRAIN}:
#   bash benchmarks/mmdetection/mim_dist_train.sh \
#       configs/benchmarks/mmdetection/voc0712/faster-rcnn_r50-c4_ms-24k_voc0712.py \
#       ${PRETRAIN} 8
# The launcher sets init_cfg=Pretrained(${PRETRAIN}) on both; this file alone
# trains from random init (the baseline).
_base_ = 'mmdet::pascal_voc/faster-rcnn_r50-caffe-c4_ms-18k_voc0712.py'

# mmssl_ext.transfer registers ResStageExtraNorm into mmdet (and imports
# mmssl_ext, which makes mmengine checkpoints loadable under weights_only).
custom_imports = dict(
    imports=['mmssl_ext.transfer'], allow_failed_imports=False)

norm_cfg = dict(type='SyncBN', requires_grad=True)
model = dict(
    data_preprocessor=dict(
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True),
    backbone=dict(
        _delete_=True,
        type='ResNet',
        depth=50,
        num_stages=3,
        strides=(1, 2, 2),
        dilations=(1, 1, 1),
        out_indices=(2, ),
        frozen_stages=-1,
        norm_cfg=norm_cfg,
        norm_eval=False,
        style='pytorch'),
    roi_head=dict(
        shared_head=dict(
            _delete_=True,
            type='ResStageExtraNorm',
            depth=50,
            stage=3,
            stride=2,
            dilation=1,
            style='pytorch',
            norm_cfg=norm_cfg,
            norm_eval=False)))

max_iter = 24000
train_cfg = dict(max_iters=max_iter, val_interval=2000)
param_scheduler = [
    dict(
        type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=100),
    dict(
        type='MultiStepLR',
        begin=0,
        end=max_iter,
        by_epoch=False,
        milestones=[18000, 22000],
        gamma=0.1)
]
default_hooks = dict(checkpoint=dict(by_epoch=False, interval=2000))
