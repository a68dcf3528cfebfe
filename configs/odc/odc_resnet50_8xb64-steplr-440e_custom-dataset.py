# ODC on your own images: a folder of images in any subfolder layout, no
# labels (CustomDataset with `with_label=False` scans it recursively). Set
# `num_train_samples` to the number of images (the memory needs one row per
# image; training stops with a clear error before the first step otherwise)
# and lower `num_classes` for small data sets (>= 20 images per cluster
# keeps `min_cluster` meaningful).
_base_ = './odc_resnet50_8xb64-steplr-440e_in1k.py'

data_root = 'data/custom/'
num_classes = 1000  # EDIT: number of clusters
num_train_samples = 10000  # EDIT: number of training images

_dataset = dict(
    type='CustomDataset',
    data_root=data_root,
    data_prefix='',
    with_label=False)
train_dataloader = dict(
    dataset=dict(
            _delete_=True, **_dataset,
            pipeline={{_base_.train_pipeline}}))

model = dict(
    head=dict(num_classes=num_classes),
    memory_bank=dict(length=num_train_samples, num_classes=num_classes))
# the recipe's hooks on this data set
custom_hooks = [
    dict(
        _base_.custom_hooks[0],
        extract_dataloader=dict(
            _base_.extract_dataloader,
            dataset=dict(**_dataset, pipeline={{_base_.extract_pipeline}})),
        num_clusters=num_classes),
    _base_.custom_hooks[1],
]
