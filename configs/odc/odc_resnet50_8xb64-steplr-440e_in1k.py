# ODC (https://arxiv.org/abs/2006.10645), MMSelfSup's recipe of the same
# name: ResNet-50 with SyncBN, neck 2048 -> 512 -> 256, 10,000 clusters,
# memory momentum 0.5, 8 GPUs x 64 drawn with replacement, SGD lr 0.06 (head
# without momentum), 440 epochs. The memory is initialised by one k-means of
# the whole set (no PCA) before training; afterwards labels evolve online.
_base_ = [
    '../_base_/models/odc.py',
    '../_base_/datasets/imagenet_odc.py',
    '../_base_/schedules/sgd-head-no-momentum_steplr-200e_in1k.py',
    '../_base_/default_runtime.py',
]

num_classes = 10000
num_train_samples = 1281167  # memory rows = len(train dataset)
model = dict(
    data_preprocessor=_base_.data_preprocessor,
    head=dict(num_classes=num_classes),
    memory_bank=dict(length=num_train_samples, num_classes=num_classes))

custom_hooks = [
    dict(
        type='DeepClusterHook',
        extract_dataloader=_base_.extract_dataloader,
        num_clusters=num_classes,
        pca_dim=-1,  # ODC initialises from L2-normalised neck features
        kmeans_iters=20,
        balanced_sampling=False,
        reweight=True,
        reweight_pow=0.5,
        init_memory=True,
        initial=True,
        interval=10**9,  # only once, before training
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

# the DeepCluster schedule with lr 0.06, 440 epochs (a step beyond the last
# epoch: constant lr, as MMSelfSup)
optim_wrapper = dict(optimizer=dict(lr=0.06))
param_scheduler = [
    dict(type='MultiStepLR', by_epoch=True, milestones=[400], gamma=0.4)
]
train_cfg = dict(max_epochs=440)

# NOTE: `auto_scale_lr.base_batch_size` = 8 GPUs x 64.
auto_scale_lr = dict(base_batch_size=512)
