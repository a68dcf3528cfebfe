# CPU-sized sibling of the COCO recipe (image list, no mmdet needed).
_base_ = './mae_vit-base-p16_8xb512-amp-coslr-300e_coco-image-list.py'

model = dict(
    backbone=dict(
        arch=dict(_delete_=True, embed_dims=64, num_layers=2, num_heads=2,
                  feedforward_channels=128),
        img_size=32,
        patch_size=8),
    neck=dict(num_patches=16, patch_size=8, embed_dim=64,
              decoder_embed_dim=32, decoder_depth=1, decoder_num_heads=2),
    head=dict(patch_size=8))

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomResizedCrop', scale=32, crop_ratio_range=(0.2, 1.0),
         backend='pillow', interpolation='bicubic'),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackInputs'),
]
train_dataloader = dict(batch_size=8, num_workers=0, persistent_workers=False,
                        dataset=dict(pipeline=train_pipeline))
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=1.5e-4, betas=(0.9, 0.95),
                   weight_decay=0.05))
train_cfg = dict(max_epochs=2)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.0001, by_epoch=True, begin=0, end=1,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=1, by_epoch=True, begin=1, end=2,
         convert_to_iter_based=True),
]
auto_scale_lr = dict(base_batch_size=8)
resume = False
