# DeepCluster (Sobel input) on your own images: a folder of images in any
# subfolder layout, no labels (CustomDataset with `with_label=False` scans it
# recursively). Lower `num_clusters` for small data sets: k-means refuses
# more clusters than images with a clear error (rule of thumb: >= 10 images
# per cluster).
_base_ = './deepcluster-sobel_resnet50_8xb64-steplr-200e_in1k.py'

data_root = 'data/custom/'
num_clusters = 1000  # EDIT: number of clusters

_dataset = dict(
    type='CustomDataset',
    data_root=data_root,
    data_prefix='',
    with_label=False)
train_dataloader = dict(
    dataset=dict(
        dataset=dict(
            _delete_=True, **_dataset,
            pipeline={{_base_.train_pipeline}})))

model = dict(head=dict(num_classes=num_clusters))
# the recipe's hook on this data set
custom_hooks = [
    dict(
        _base_.custom_hooks[0],
        extract_dataloader=dict(
            _base_.extract_dataloader,
            dataset=dict(**_dataset, pipeline={{_base_.extract_pipeline}})),
        num_clusters=num_clusters)
]
