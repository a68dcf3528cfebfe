# CPU-sized sibling of vit-base-p16_ft-8xb128-coslr-100e_custom-dataset.py:
# same recipe (layer-wise lr decay, Mixup/CutMix) with the ViT of
# mae_vit-base-p16_8xb512-amp-coslr-300e_custom-dataset_tiny-cpu.py (2 layers
# x 64 dims, patch 8, 32 px), batch 8, 2 epochs, without RandAugment/erasing.
_base_ = './vit-base-p16_ft-8xb128-coslr-100e_custom-dataset.py'

pretrained = 'work_dirs/mae_custom/epoch_2.pth'  # or --cfg-options
model = dict(
    backbone=dict(
        arch=dict(_delete_=True, embed_dims=64, num_layers=2, num_heads=2,
                  feedforward_channels=128),
        img_size=32, patch_size=8, init_cfg=dict(checkpoint=pretrained)),
    head=dict(in_channels=64))

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomResizedCrop', scale=32, backend='pillow',
         interpolation='bicubic'),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='ResizeEdge', scale=36, edge='short', backend='pillow',
         interpolation='bicubic'),
    dict(type='CenterCrop', crop_size=32),
    dict(type='PackInputs'),
]
train_dataloader = dict(batch_size=8, num_workers=0, persistent_workers=False,
                        dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(batch_size=8, num_workers=0, persistent_workers=False,
                      dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-4, by_epoch=True, begin=0, end=1,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=1, by_epoch=True, begin=1, end=2,
         eta_min=1e-6, convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=2)
auto_scale_lr = dict(base_batch_size=8)
