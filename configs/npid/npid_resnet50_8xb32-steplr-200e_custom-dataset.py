# NPID on your own images: a folder of images in any subfolder layout, no
# labels (mmpretrain CustomDataset with `with_label=False` scans it
# recursively). Set `num_train_samples` to the number of images: the memory
# bank needs exactly one row per image (MemoryBankCheckHook stops with a clear
# error before the first iteration otherwise).
_base_ = './npid_resnet50_8xb32-steplr-200e_in1k.py'

data_root = 'data/custom/'
num_train_samples = 10000  # EDIT: number of training images

train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='CustomDataset',
        data_root=data_root,
        data_prefix='',
        with_label=False,
        pipeline={{_base_.train_pipeline}}))

model = dict(memory_bank=dict(length=num_train_samples))
