_base_ = [
    './_base_/models/resnet_tiny.py',
    './_base_/datasets/tiny_deepcluster.py',
    './_base_/schedules/sgd_steplr-1e.py',
    './_base_/default_runtime.py',
]
num_classes = 4
model = dict(
    type='ODC',
    with_sobel=False,
    neck=dict(
        type='ODCNeck',
        in_channels=64,
        hid_channels=32,
        out_channels=16,
        with_avg_pool=True),
    head=dict(
        type='ClsHead',
        with_avg_pool=False,
        in_channels=16,
        num_classes=num_classes),
    memory_bank=dict(
        type='ODCMemory',
        length=16,
        feat_dim=16,
        momentum=0.5,
        num_classes=num_classes,
        min_cluster=2,
        debug=False))
data = dict(replace=True)
custom_hooks = [
    dict(
        type='DeepClusterHook',
        extractor=dict(
            samples_per_gpu=8,
            workers_per_gpu=0,
            dataset=dict(
                type='DeepClusterDataset',
                data_source=dict(
                    type='ImageNet',
                    data_prefix='data/tiny/train',
                    ann_file='data/tiny/meta/train.txt',
                ),
                pipeline={{_base_.extract_pipeline}})),
        clustering=dict(type='Kmeans', k=num_classes, pca_dim=-1),  # no pca
        unif_sampling=False,
        reweight=True,
        reweight_pow=0.5,
        init_memory=True,
        initial=True,  # call initially
        interval=9999999999),  # initial only
    dict(
        type='ODCHook',
        centroids_update_interval=10,  # iter
        deal_with_small_clusters_interval=1,
        evaluate_interval=50,
        reweight=True,
        reweight_pow=0.5)
]
optimizer = dict(
    type='SGD',
    lr=0.06,
    momentum=0.9,
    weight_decay=1e-5,
    paramwise_options={'\\Ahead.': dict(momentum=0.)})
lr_config = dict(policy='step', step=[400], gamma=0.4)
