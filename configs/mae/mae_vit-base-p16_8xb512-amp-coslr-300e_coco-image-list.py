# MAE ViT-B/16 on COCO train2017 images without mmdet: COCOImageList reads the
# image list of the annotation file (works on mmcv-lite).
_base_ = './mae_vit-base-p16_8xb512-amp-coslr-300e_coco.py'

train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='COCOImageList',
        data_root={{_base_.data_root}},
        ann_file='annotations/instances_train2017.json',
        data_prefix=dict(img_path='train2017/'),
        pipeline={{_base_.train_pipeline}}))
