# Fine-tune a self-supervised ResNet-50 on a small labelled image folder
# (mmpretrain's "fine-tune on a custom dataset" recipe; docs/custom_data.md):
#   data/custom_labeled/train/<class>/*.jpg, data/custom_labeled/val/<class>/*.jpg
# (mmpretrain CustomDataset without an annotation file: one subfolder per
# class, classes in sorted folder order). Any checkpoint whose backbone is a
# ResNet-50 works as `pretrained`: a whole SimCLR / RotationPred / NPID / ...
# training checkpoint (keys `backbone.*`) or a file written by
# tools/model_converters/extract_backbone_weights.py (same keys).
# Fine-tuning choices (the guide's): the stem and the first two stages stay
# frozen (`frozen_stages=2`: no gradient, BatchNorm statistics kept), the rest
# of the backbone learns at 0.1x the head's learning rate.
_base_ = [
    'mmpretrain::_base_/models/resnet50.py',
    'mmpretrain::_base_/datasets/imagenet_bs32.py',
    'mmpretrain::_base_/schedules/imagenet_bs256.py',
    'mmpretrain::_base_/default_runtime.py',
]
custom_imports = dict(imports=['mmssl_ext'], allow_failed_imports=False)

num_classes = 10  # EDIT: number of class subfolders
data_root = 'data/custom_labeled/'
pretrained = 'work_dirs/simclr_custom/epoch_200.pth'  # or --cfg-options

data_preprocessor = dict(num_classes=num_classes)
model = dict(
    backbone=dict(
        frozen_stages=2,
        init_cfg=dict(type='Pretrained', checkpoint=pretrained,
                      prefix='backbone.')),
    head=dict(num_classes=num_classes, topk=(1, )))

train_dataloader = dict(
    dataset=dict(_delete_=True, type='CustomDataset', data_root=data_root,
                 data_prefix='train', pipeline={{_base_.train_pipeline}}))
val_dataloader = dict(
    dataset=dict(_delete_=True, type='CustomDataset', data_root=data_root,
                 data_prefix='val', pipeline={{_base_.test_pipeline}}))
test_dataloader = val_dataloader
val_evaluator = dict(type='Accuracy', topk=(1, ))
test_evaluator = val_evaluator

optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=1e-4),
    paramwise_cfg=dict(custom_keys={'backbone': dict(lr_mult=0.1)}))
param_scheduler = dict(
    type='MultiStepLR', by_epoch=True, milestones=[20], gamma=0.1)
train_cfg = dict(by_epoch=True, max_epochs=30, val_interval=1)
default_hooks = dict(
    checkpoint=dict(type='CheckpointHook', interval=1, max_keep_ckpts=2,
                    save_best='auto'))
