# FCN R50-D8 on PASCAL VOC 2012 + SBD augmented, 20k iterations, 512x512
# crops: the seeds' segmentation transfer protocol (SyncBN, BN statistics
# updated, RGB ImageNet normalisation as in mmseg's base).
#
# mmseg's FCN uses ResNetV1c, whose deep stem (three 3x3 convs) does not match
# weights pretrained with a plain ResNet: the backbone here is mmseg's ResNet
# with the plain 7x7 stem (deep_stem=False), dilated like ResNetV1c.
#
#   bash benchmarks/mmsegmentation/mim_dist_train.sh \
#       configs/benchmarks/mmsegmentation/voc12aug/fcn_r50-d8_4xb4-20k_voc12aug-512x512.py \
#       ${PRETRAIN} 4
# The launcher sets model.backbone.init_cfg=Pretrained(${PRETRAIN}); this
# file alone trains from random init (the baseline).
_base_ = 'mmseg::fcn/fcn_r50-d8_4xb4-20k_voc12aug-512x512.py'

# mmssl_ext makes checkpoints saved by mmengine loadable under torch's
# weights_only default, so PRETRAIN may also be a whole pretraining checkpoint.
custom_imports = dict(imports=['mmssl_ext'], allow_failed_imports=False)

model = dict(
    pretrained=None,
    backbone=dict(type='ResNet', deep_stem=False, avg_down=False))
