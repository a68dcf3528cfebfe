# Fine-tune an MAE-pretrained ViT-B/16 on a small labelled image folder
# (docs/custom_data.md): mmpretrain's MAE fine-tuning recipe
# (mae/benchmarks/vit-base-p16_8xb128-coslr-100e_in1k.py: AdamW, layer-wise
# learning-rate decay 0.65, RandAugment, Mixup/CutMix, 100 epochs) on
#   data/custom_labeled/train/<class>/*.jpg, data/custom_labeled/val/<class>/*.jpg
# `pretrained` is the MAE training checkpoint (keys `backbone.*`, the decoder
# is ignored) or its extracted backbone.
_base_ = 'mmpretrain::mae/benchmarks/vit-base-p16_8xb128-coslr-100e_in1k.py'
custom_imports = dict(imports=['mmssl_ext'], allow_failed_imports=False)

num_classes = 10  # EDIT: number of class subfolders
data_root = 'data/custom_labeled/'
pretrained = 'work_dirs/mae_custom/epoch_300.pth'  # or --cfg-options

data_preprocessor = dict(num_classes=num_classes)
model = dict(
    backbone=dict(init_cfg=dict(type='Pretrained', checkpoint=pretrained,
                                prefix='backbone.')),
    head=dict(num_classes=num_classes))

train_dataloader = dict(
    dataset=dict(_delete_=True, type='CustomDataset', data_root=data_root,
                 data_prefix='train', pipeline={{_base_.train_pipeline}}))
val_dataloader = dict(
    dataset=dict(_delete_=True, type='CustomDataset', data_root=data_root,
                 data_prefix='val', pipeline={{_base_.test_pipeline}}))
test_dataloader = val_dataloader
val_evaluator = dict(type='Accuracy', topk=(1, ))
test_evaluator = val_evaluator
