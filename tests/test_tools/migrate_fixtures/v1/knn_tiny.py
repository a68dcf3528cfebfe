# MMSelfSup 1.x kNN data config (read by its test_knn.py)
dataset_type = 'mmcls.ImageNet'
data_root = 'data/tiny'
extract_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='mmcls.ResizeEdge', scale=36, edge='short'),
    dict(type='CenterCrop', crop_size=32),
    dict(type='PackSelfSupInputs'),
]
train_dataloader = dict(
    batch_size=8,
    num_workers=0,
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='meta/train.txt',
        data_prefix='train',
        pipeline=extract_pipeline),
    collate_fn=dict(type='default_collate'),
    sampler=dict(type='DefaultSampler', shuffle=False),
)
val_dataloader = dict(
    batch_size=8,
    num_workers=0,
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='meta/train.txt',
        data_prefix='train',
        pipeline=extract_pipeline),
    collate_fn=dict(type='default_collate'),
    sampler=dict(type='DefaultSampler', shuffle=False),
)
pool_cfg = dict(type='AvgPool2d')
