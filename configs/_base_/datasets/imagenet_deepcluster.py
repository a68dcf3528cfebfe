# ImageNet for DeepCluster: the clustering augmentation, 64 images per GPU
# drawn cluster-balanced by their current pseudo-label.
_base_ = './imagenet_clustering.py'

train_dataset = dict(
    type=_base_.dataset_type, data_root=_base_.data_root, split='train',
    pipeline=_base_.train_pipeline)
train_dataloader = dict(
    batch_size=64,
    # labels change every epoch: workers must be re-created to see them
    persistent_workers=False,
    sampler=dict(_delete_=True, type='ClusterBalancedSampler'),
    dataset=dict(_delete_=True, type='PseudoLabelDataset',
                 dataset=train_dataset))
