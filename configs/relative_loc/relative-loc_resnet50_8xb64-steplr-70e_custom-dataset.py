# Relative patch location on your own images: any subfolder layout, no
# labels (mmpretrain CustomDataset with `with_label=False`).
_base_ = './relative-loc_resnet50_8xb64-steplr-70e_in1k.py'

data_root = 'data/custom/'
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='CustomDataset',
        data_root=data_root,
        data_prefix='',
        with_label=False,
        pipeline={{_base_.train_pipeline}}))
