# MAE ViT-B/16 on COCO train2017 images (MMSelfSup tutorial), read with
# mmdet's CocoDataset. Needs `pip install -r requirements/transfer.txt` and
# mmcv with compiled ops (`make mmcv-full`); without them use
# mae_vit-base-p16_8xb512-amp-coslr-300e_coco-image-list.py, which reads the
# same images with mmssl_ext's COCOImageList.
_base_ = 'mmpretrain::mae/mae_vit-base-p16_8xb512-amp-coslr-300e_in1k.py'
custom_imports = dict(imports=['mmssl_ext'], allow_failed_imports=False)
# kill-safe checkpoints and exact resume, as configs/_base_/default_runtime.py
# (which cannot be a second base next to an mmpretrain config)
default_hooks = dict(
    checkpoint=dict(type='AtomicCheckpointHook'),
    rng_state=dict(type='RNGStateHook'))

data_root = 'data/coco/'
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='mmdet.CocoDataset',
        data_root=data_root,
        ann_file='annotations/instances_train2017.json',
        data_prefix=dict(img='train2017/'),
        pipeline={{_base_.train_pipeline}}))
