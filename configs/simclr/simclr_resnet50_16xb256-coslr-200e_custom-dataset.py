# SimCLR ResNet-50 on your own images (MMSelfSup tutorial): a folder of
# images, with or without class subfolders; no labels needed.
_base_ = 'mmpretrain::simclr/simclr_resnet50_16xb256-coslr-200e_in1k.py'
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
        data_prefix='',
        with_label=False,
        pipeline={{_base_.train_pipeline}}))
