# ImageNet for ODC: the clustering augmentation, 64 images per GPU drawn at
# random with replacement (MMSelfSup's ODC: replace=True).
_base_ = './imagenet_clustering.py'

train_dataloader = dict(
    batch_size=64,
    sampler=dict(_delete_=True, type='ClusterBalancedSampler', replace=True),
    dataset=dict(pipeline=_base_.train_pipeline))
