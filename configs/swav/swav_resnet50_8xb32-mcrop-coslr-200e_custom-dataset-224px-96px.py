# SwAV multi-crop on your own images: any subfolder layout, no labels
# (mmpretrain CustomDataset with `with_label=False` scans the folder).
_base_ = './swav_resnet50_8xb32-mcrop-coslr-200e_in1k-224px-96px.py'

data_root = 'data/custom/'
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='CustomDataset',
        data_root=data_root,
        data_prefix='',
        with_label=False,
        pipeline={{_base_.train_pipeline}}))
