"""Tiny DeepCluster / ODC configs (from the Fashion-MNIST siblings, shrunk by
:func:`tests.helpers.tiny_cfg`) shared by the clustering hook, resume and
2-process tests."""
import os.path as osp

from mmengine.config import Config

from tests import helpers
from tests.helpers import REPO_ROOT

DC_CFG = osp.join(
    REPO_ROOT, 'configs', 'deepcluster',
    'deepcluster_resnet18-cifar-w16-sobel_1xb64-steplr-4e_fashion-mnist.py')
ODC_CFG = osp.join(REPO_ROOT, 'configs', 'odc',
                   'odc_resnet18-cifar-w16_1xb64-steplr-4e_fashion-mnist.py')
NUM_SAMPLES = 64  # first images of fmnist_tiny's train split

# no random augmentation: these tests compare runs image by image (the
# exact-resume test of RNGStateHook puts the recipe's pipeline back)
TINY_PIPELINE = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=32, backend='cv2'),
    dict(type='PackInputs'),
]


def tiny_cfg(algo: str, data_root: str, work_dir: str,
             max_epochs: int = 2, num_clusters: int = 4,
             batch_size: int = 16) -> Config:
    """A CPU-second sized config of ``algo`` ('deepcluster' or 'odc'): the
    shared shrinking plus the clustering sizes (width 8, ``num_clusters``,
    the extraction loader on the same images)."""
    cfg = helpers.tiny_cfg(
        DC_CFG if algo == 'deepcluster' else ODC_CFG, data_root, work_dir,
        batch_size=batch_size, max_epochs=max_epochs, num_samples=NUM_SAMPLES)
    dataset = cfg.train_dataloader.dataset
    if algo == 'deepcluster':
        dataset = dataset.dataset
    dataset.pipeline = TINY_PIPELINE
    hook = cfg.custom_hooks[0]
    hook.extract_dataloader.dataset.data_root = data_root
    hook.extract_dataloader.dataset.indices = NUM_SAMPLES
    hook.extract_dataloader.num_workers = 0
    hook.extract_dataloader.batch_size = 64
    hook.num_clusters = num_clusters
    hook.save_labels = False
    model = cfg.model
    model.backbone.stem_channels = 8
    model.backbone.base_channels = 8
    model.head.num_classes = num_clusters
    if algo == 'deepcluster':
        model.head.in_channels = 64
        hook.pca_dim = 16
    else:
        model.neck.in_channels = 64
        model.neck.hid_channels = 32
        model.neck.out_channels = 16
        model.neck.dropout = 0.0  # dropout draws from the global RNG
        model.head.in_channels = 16
        model.memory_bank.update(length=NUM_SAMPLES, feat_dim=16,
                                 num_classes=num_clusters, min_cluster=2)
        cfg.custom_hooks[1].update(centroids_update_interval=3,
                                   evaluate_interval=4,
                                   save_labels_interval=0)
    cfg.randomness = dict(seed=0, deterministic=True)
    cfg.env_cfg = dict(cudnn_benchmark=False, dist_cfg=dict(backend='gloo'))
    cfg.visualizer = dict(type='UniversalVisualizer', vis_backends=[])
    return cfg
