model = dict(
    type='MAE',
    backbone=dict(
        type='MAEViT',
        arch=dict(
            embed_dims=32, num_layers=2, num_heads=2,
            feedforward_channels=64),
        img_size=32,
        patch_size=8,
        mask_ratio=0.75),
    neck=dict(
        type='MAEPretrainDecoder',
        num_patches=16,
        patch_size=8,
        in_chans=3,
        embed_dim=32,
        decoder_embed_dim=16,
        decoder_depth=1,
        decoder_num_heads=2,
        mlp_ratio=2.),
    head=dict(type='MAEPretrainHead', norm_pix=True, patch_size=8))
img_norm_cfg = dict(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225])
data = dict(
    samples_per_gpu=8,
    workers_per_gpu=0,
    train=dict(
        type='SingleViewDataset',
        data_source=dict(
            type='ImageNet',
            data_prefix='data/tiny/train',
            ann_file='data/tiny/meta/train.txt'),
        pipeline=[
            dict(type='RandomResizedCrop', size=32, scale=(0.2, 1.0),
                 interpolation=3),
            dict(type='RandomHorizontalFlip'),
            dict(type='ToTensor'),
            dict(type='Normalize', **img_norm_cfg)
        ]))
optimizer = dict(
    type='AdamW',
    lr=1.5e-4 * 8 / 256,
    betas=(0.9, 0.95),
    weight_decay=0.05,
    paramwise_options={
        'norm': dict(weight_decay=0.),
        'bias': dict(weight_decay=0.),
        'pos_embed': dict(weight_decay=0.),
        'mask_token': dict(weight_decay=0.),
        'cls_token': dict(weight_decay=0.)
    })
optimizer_config = dict()
lr_config = dict(
    policy='CosineAnnealing',
    min_lr=0.,
    warmup='linear',
    warmup_iters=1,
    warmup_ratio=1e-4,
    warmup_by_epoch=True)
runner = dict(type='EpochBasedRunner', max_epochs=1)
fp16 = dict(loss_scale='dynamic')
checkpoint_config = dict(interval=1)
log_config = dict(interval=1, hooks=[dict(type='TextLoggerHook')])
