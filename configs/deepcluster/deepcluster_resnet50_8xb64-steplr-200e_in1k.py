# DeepCluster (https://arxiv.org/abs/1807.05520), MMSelfSup's recipe of the
# same name: RGB input + ResNet-50, 8 GPUs x 64, SGD lr 0.1 (head without
# momentum: it is re-initialised at every clustering), 10,000 k-means
# clusters of PCA-256-whitened features re-computed every epoch,
# cluster-balanced sampling, unweighted loss. The Sobel variant (MMSelfSup's
# published checkpoint):
# deepcluster-sobel_resnet50_8xb64-steplr-200e_in1k.py.
_base_ = [
    '../_base_/models/deepcluster.py',
    '../_base_/datasets/imagenet_deepcluster.py',
    '../_base_/schedules/sgd-head-no-momentum_steplr-200e_in1k.py',
    '../_base_/default_runtime.py',
]

num_clusters = 10000
model = dict(
    data_preprocessor=_base_.data_preprocessor,
    head=dict(num_classes=num_clusters))

custom_hooks = [
    dict(
        type='DeepClusterHook',
        extract_dataloader=_base_.extract_dataloader,
        num_clusters=num_clusters,
        pca_dim=256,
        kmeans_iters=20,
        balanced_sampling=True,
        reweight=False,  # MMSelfSup: balanced sampling only; True adds
        reweight_pow=0.5,  # inverse-frequency loss weights on top
        initial=True,
        interval=1,
        seed=0)
]

# NOTE: `auto_scale_lr.base_batch_size` = 8 GPUs x 64.
auto_scale_lr = dict(base_batch_size=512)
