data_source = 'ImageNet'
dataset_type = 'SingleViewDataset'
img_norm_cfg = dict(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225])
pipeline = [
    dict(type='Resize', size=36),
    dict(type='CenterCrop', size=32),
    dict(type='ToTensor'),
    dict(type='Normalize', **img_norm_cfg),
]
data = dict(
    samples_per_gpu=8,
    workers_per_gpu=0,
    train=dict(
        type=dataset_type,
        data_source=dict(
            type=data_source,
            data_prefix='data/tiny/train',
            ann_file='data/tiny/meta/train.txt',
        ),
        pipeline=pipeline),
    val=dict(
        type=dataset_type,
        data_source=dict(
            type=data_source,
            data_prefix='data/tiny/train',
            ann_file='data/tiny/meta/train.txt',
        ),
        pipeline=pipeline))
