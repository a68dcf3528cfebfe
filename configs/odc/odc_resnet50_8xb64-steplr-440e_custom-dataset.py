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
custom_hooks = [
    dict(
        type='DeepClusterHook',
        extract_dataloader=dict(
            batch_size=128,
            num_workers=8,
            dataset=dict(**_dataset, pipeline={{_base_.extract_pipeline}})),
        num_clusters=num_classes,
        pca_dim=-1,
        kmeans_iters=20,
        balanced_sampling=False,
        reweight=True,
        reweight_pow=0.5,
        init_memory=True,
        initial=True,
        interval=10**9,
        seed=0),
    dict(
        type='ODCHook',
        centroids_update_interval=10,
        deal_with_small_clusters_interval=1,
        evaluate_interval=50,
        reweight=True,
        reweight_pow=0.5,
        save_labels_interval=10)
]
