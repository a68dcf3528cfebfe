# Labelled ImageNet splits for the kNN benchmark
# (benchmarks/classification/knn/test_knn.py reads these two keys), as
# MMSelfSup's configs/benchmarks/classification/knn_imagenet.py: the whole
# train split is the kNN memory, the val split is classified; short side 256,
# centre crop 224. Normalisation is the evaluated model's data_preprocessor.
# Data layout (mmpretrain's ImageNet): data/imagenet/{train,val}/ and
# data/imagenet/meta/{train,val}.txt ("path label" lines).
knn_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='ResizeEdge', scale=256, edge='short'),
    dict(type='CenterCrop', crop_size=224),
    dict(type='PackInputs'),
]
knn_train_dataloader = dict(
    batch_size=256,
    num_workers=8,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        type='ImageNet',
        data_root='data/imagenet',
        split='train',
        pipeline=knn_pipeline))
knn_test_dataloader = dict(
    knn_train_dataloader,
    dataset=dict(knn_train_dataloader['dataset'], split='val'))
# MMSelfSup's test_knn.py defaults: k in 10/20/100/200, T = 0.07
knn = dict(ks=[10, 20, 100, 200], temperature=0.07)
