# Rotation prediction on your own images: any subfolder layout, no labels
# (mmpretrain CustomDataset with `with_label=False` scans the folder).
_base_ = './rotation-pred_resnet50_8xb16-steplr-70e_in1k.py'

data_root = 'data/custom/'
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='CustomDataset',
        data_root=data_root,
        data_prefix='',
        with_label=False,
        pipeline={{_base_.train_pipeline}}))
