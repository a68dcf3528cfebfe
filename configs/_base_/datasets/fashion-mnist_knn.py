# Labelled Fashion-MNIST splits for the kNN benchmark
# (benchmarks/classification/knn/test_knn.py reads these two keys).
knn_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=32, backend='cv2'),
    dict(type='PackInputs'),
]
knn_train_dataloader = dict(
    batch_size=512,
    num_workers=1,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        type='CustomDataset',
        data_root='data/fashion_mnist/',
        ann_file='meta/train.txt',
        # the first 10k training images are the kNN memory (as in the
        # references of DESIGN.md); the whole 10k test split is classified
        indices=10000,
        pipeline=knn_pipeline))
knn_test_dataloader = dict(
    batch_size=512,
    num_workers=1,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        type='CustomDataset',
        data_root='data/fashion_mnist/',
        ann_file='meta/test.txt',
        pipeline=knn_pipeline))
knn = dict(ks=[20], temperature=0.07)
