# SimCLR ResNet-50 on your own images (MMSelfSup tutorial): a folder of
# images, with or without class subfolders; no labels needed.
_base_ = 'mmpretrain::simclr/simclr_resnet50_16xb256-coslr-200e_in1k.py'
custom_imports = dict(imports=['mmssl_ext'], allow_failed_imports=False)

data_root = 'data/custom_dataset/'
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='CustomDataset',
        data_root=data_root,
        data_prefix='',
        with_label=False,
        pipeline={{_base_.train_pipeline}}))
