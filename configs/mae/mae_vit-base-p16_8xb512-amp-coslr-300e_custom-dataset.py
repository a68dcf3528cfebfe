# MAE ViT-B/16 on your own images (MMSelfSup tutorial "pretrain on a custom
# dataset"): any folder of images, with or without class subfolders, no
# labels needed. Everything else is mmpretrain's ImageNet recipe.
_base_ = 'mmpretrain::mae/mae_vit-base-p16_8xb512-amp-coslr-300e_in1k.py'
custom_imports = dict(imports=['mmssl_ext'], allow_failed_imports=False)
# kill-safe checkpoints and exact resume, as configs/_base_/default_runtime.py
# (which cannot be a second base next to an mmpretrain config)
default_hooks = dict(
    checkpoint=dict(type='AtomicCheckpointHook'),
    rng_state=dict(type='RNGStateHook'))

data_root = 'data/custom_dataset/'
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='CustomDataset',
        data_root=data_root,
        data_prefix='',  # scanned recursively: train/xxx.png, a/b/yyy.jpg, ...
        with_label=False,
        pipeline={{_base_.train_pipeline}}))
