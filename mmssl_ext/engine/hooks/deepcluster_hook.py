"""Full-dataset clustering hook of DeepCluster (also initialises ODC)."""
import copy
import os.path as osp
from typing import Dict, Optional

import numpy as np
import torch
from mmengine.dist import broadcast, get_dist_info
from mmengine.hooks import Hook

from mmpretrain.registry import HOOKS
from mmpretrain.utils import get_ori_model
from mmssl_ext.compat.build_dataloader import strip_scope
from mmssl_ext.engine.hooks.mmselfsup_args import (Alias,
                                                   accepts_mmselfsup_args,
                                                   ignored, renamed)
from mmssl_ext.evaluation.feature_extractor import extract_features
from mmssl_ext.evaluation.functional.clustering import (cluster_stats,
                                                        import_faiss, kmeans,
                                                        l2_normalize,
                                                        normalized_mutual_info,
                                                        pca_whiten)
from mmssl_ext.models.utils.mmselfsup_checkpoint import check_resumable
from mmssl_ext.utils.dist import on_rank0
from mmssl_ext.utils.legacy_config import warn_legacy_runtime_keys

CKPT_KEY = 'deepcluster_hook'


def extract_dataset_features(model, loader, feat_fn,
                             everywhere: bool = False
                             ) -> Optional[np.ndarray]:
    """``(N, D)`` float32 features of every sample of ``loader.dataset``
    (:func:`mmssl_ext.evaluation.feature_extractor.extract_features` with
    ``feat_fn``, as numpy): on rank 0, or on every rank with ``everywhere``
    (for memories every rank holds); None on the other ranks."""
    feats = extract_features(model, loader, feat_fn=feat_fn,
                             everywhere=everywhere)
    return None if feats is None else feats.numpy()


def _extractor_to_loader(extractor: dict) -> dict:
    """MMSelfSup 0.x ``extractor=dict(dataset, samples_per_gpu,
    workers_per_gpu, ...)`` -> ``extract_dataloader`` (batch_size,
    num_workers); its GPU-prefetch keys are dropped."""
    loader = dict(extractor)
    for old, new in (('samples_per_gpu', 'batch_size'),
                     ('imgs_per_gpu', 'batch_size'),  # wins, as in 0.x
                     ('workers_per_gpu', 'num_workers')):
        if old in loader:
            loader[new] = loader.pop(old)
    for dropped in ('prefetch', 'img_norm_cfg', 'dist_mode'):
        loader.pop(dropped, None)
    return {'extract_dataloader': loader}


def _clustering_to_kmeans(clustering: dict) -> dict:
    """MMSelfSup ``clustering=dict(type='Kmeans', k=..., pca_dim=...)`` ->
    ``num_clusters`` and ``pca_dim``."""
    cfg = dict(clustering)
    kind = cfg.pop('type', 'Kmeans')
    if kind != 'Kmeans':
        raise ValueError(
            f"DeepClusterHook(clustering=dict(type='{kind}')): only "
            f"MMSelfSup's 'Kmeans' is provided; use num_clusters=K and "
            f'pca_dim=D.')
    if 'k' not in cfg:
        raise TypeError("DeepClusterHook(clustering=dict(type='Kmeans')) "
                        'needs k (the number of clusters).')
    out = {'num_clusters': cfg.pop('k')}
    if 'pca_dim' in cfg:
        out['pca_dim'] = cfg.pop('pca_dim')
    if cfg:
        raise TypeError(f'DeepClusterHook(clustering=...): unknown keys '
                        f'{sorted(cfg)}; Kmeans takes k and pca_dim.')
    return out


_NO_DIST_MODE = ignored('distribution is detected from torch.distributed')

#: MMSelfSup 0.x / 1.x names of DeepClusterHook's arguments
DEEPCLUSTER_ALIASES = {
    'extractor': Alias(('extract_dataloader', ), _extractor_to_loader,
                       '`extract_dataloader` (a dataloader config: '
                       'batch_size / num_workers for samples_per_gpu / '
                       'workers_per_gpu)'),
    'clustering': Alias(('num_clusters', 'pca_dim'), _clustering_to_kmeans,
                        '`num_clusters=K, pca_dim=D`'),
    'unif_sampling': renamed('balanced_sampling'),
    'dist_mode': _NO_DIST_MODE,
    'data_loaders': ignored('the hook uses runner.train_dataloader'),
}


@HOOKS.register_module()
class DeepClusterHook(Hook):
    """Cluster the whole training set and hand out pseudo-labels.

    Before training (``initial=True``) and after every ``interval`` epochs
    (not after the last one):

    1. extract features of the training set with the model in eval mode,
       through ``extract_dataloader`` (its own, usually deterministic,
       pipeline); in DDP the set is sharded across ranks and the features
       gathered (to rank 0, or to all ranks for ``init_memory``);
    2. on rank 0: PCA-whiten to ``pca_dim`` (DeepCluster: 256; -1 skips it,
       as ODC's initialisation does), L2-normalise, k-means with faiss into
       ``num_clusters`` clusters, log cluster statistics and the NMI against
       the previous assignment, save ``cluster_epoch_{e}.npy`` in the work
       dir; the labels are then broadcast to every rank;
    3. assign the labels to the training ``PseudoLabelDataset`` (if it is
       one), make sampling cluster-balanced (``ClusterBalancedSampler``), set
       the inverse-sqrt-frequency loss weights (``reweight``), re-initialise
       the head
       (seeded by ``seed`` and the epoch; rank 0's weights are broadcast) and,
       with ``init_memory=True``, initialise the model's ``ODCMemory``.

    The current labels are saved in checkpoints (``checkpoint['
    deepcluster_hook']``) and restored on resume, so a resumed run continues
    from the same assignment without re-clustering.

    Paper: https://arxiv.org/abs/1807.05520

    Args:
        extract_dataloader (dict): dataloader config for feature extraction
            (``dataset`` with its own pipeline, ``batch_size``,
            ``num_workers``); its sampler is replaced by a sequential,
            rank-sharded ``DefaultSampler``. The dataset must have the same
            samples in the same order as the training set.
        num_clusters (int): k of k-means; must equal the head's
            ``num_classes``.
        pca_dim (int): PCA-whitening dimension, -1 to skip. Defaults to 256.
        kmeans_iters (int): k-means iterations. Defaults to 20.
        balanced_sampling (bool): require and configure a
            ``ClusterBalancedSampler``. Defaults to True.
        reweight (bool): set the model's per-cluster loss weights (inverse
            frequency) after each clustering. MMSelfSup's DeepCluster recipe
            uses False (balanced sampling only), its ODC recipe True.
            Defaults to False.
        reweight_pow (float): exponent of the inverse frequency.
            Defaults to 0.5.
        init_memory (bool): initialise ``model.memory_bank`` (ODC).
            Defaults to False.
        reinit_head (bool): re-initialise the head after clustering.
            Defaults to True.
        initial (bool): cluster before the first epoch. Defaults to True.
        interval (int): re-cluster every ``interval`` epochs.
            Defaults to 1.
        seed (int): seed of k-means and of the head re-initialisation
            (None, MMSelfSup 1.x's default, means 0). Defaults to 0.
        save_labels (bool): save each assignment as ``.npy`` (rank 0).
            Defaults to True.

    MMSelfSup's argument names are accepted with a deprecation warning:
    ``extractor=dict(dataset, samples_per_gpu, workers_per_gpu)`` (0.x) for
    ``extract_dataloader``, ``clustering=dict(type='Kmeans', k, pca_dim)``
    for ``num_clusters`` / ``pca_dim``, ``unif_sampling`` for
    ``balanced_sampling``; ``dist_mode`` and ``data_loaders`` are ignored.
    """

    priority = 'NORMAL'

    @accepts_mmselfsup_args(DEEPCLUSTER_ALIASES)
    def __init__(self,
                 extract_dataloader: dict,
                 num_clusters: int,
                 pca_dim: int = 256,
                 kmeans_iters: int = 20,
                 balanced_sampling: bool = True,
                 reweight: bool = False,
                 reweight_pow: float = 0.5,
                 init_memory: bool = False,
                 reinit_head: bool = True,
                 initial: bool = True,
                 interval: int = 1,
                 seed: Optional[int] = 0,
                 save_labels: bool = True) -> None:
        if not isinstance(extract_dataloader, dict) or \
                'dataset' not in extract_dataloader:
            raise TypeError('extract_dataloader must be a dataloader config '
                            'dict with a `dataset` entry.')
        if num_clusters < 2:
            raise ValueError(f'num_clusters must be >= 2, got {num_clusters}.')
        if interval < 1:
            raise ValueError(f'interval must be >= 1, got {interval}.')
        self.extract_dataloader_cfg = copy.deepcopy(extract_dataloader)
        self.num_clusters = int(num_clusters)
        self.pca_dim = int(pca_dim)
        self.kmeans_iters = int(kmeans_iters)
        self.balanced_sampling = balanced_sampling
        self.reweight = reweight
        self.reweight_pow = reweight_pow
        self.init_memory = init_memory
        self.reinit_head = reinit_head
        self.initial = initial
        self.interval = int(interval)
        self.seed = 0 if seed is None else int(seed)
        self.save_labels = save_labels
        self.labels: Optional[np.ndarray] = None
        self._restored: Optional[np.ndarray] = None
        self._extract_loader = None

    # ---------------------------------------------------------------- checks
    def before_run(self, runner) -> None:
        warn_legacy_runtime_keys(runner)  # 0.x keys mmengine ignores

    def _check(self, runner) -> None:
        import_faiss()  # every rank fails alike if faiss is missing
        model = get_ori_model(runner.model)
        if not hasattr(model, 'extract_cluster_feat'):
            raise TypeError(
                f'DeepClusterHook needs a model with extract_cluster_feat() '
                f'(DeepCluster, ODC); got {type(model).__name__}.')
        head_k = getattr(getattr(model, 'head', None), 'num_classes', None)
        if head_k is not None and head_k != self.num_clusters:
            raise ValueError(
                f'DeepClusterHook makes {self.num_clusters} clusters but the '
                f'head has num_classes={head_k}: set them equal.')
        if self.init_memory and not hasattr(model, 'memory_bank'):
            raise TypeError('init_memory=True needs a model with a '
                            '`memory_bank` (ODC).')
        loader = runner.train_dataloader
        n = len(loader.dataset)
        if self.init_memory:
            # before the extraction and clustering, not after them
            model.memory_bank.check_fits_dataset(n, 'model.memory_bank')
        if self.num_clusters > n:
            raise ValueError(
                f'{self.num_clusters} clusters for a training set of {n} '
                f'samples: the number of clusters must not exceed the number '
                f'of samples. Lower `num_clusters` and the head/memory '
                f'`num_classes`.')
        if self.balanced_sampling and not hasattr(loader.sampler,
                                                  'set_labels'):
            raise TypeError(
                f'balanced_sampling=True needs train_dataloader.sampler='
                f"dict(type='ClusterBalancedSampler'), got "
                f'{type(loader.sampler).__name__}; or set '
                f'balanced_sampling=False.')
        wrapped = hasattr(loader.dataset, 'assign_labels')
        if not self.init_memory and not wrapped:
            raise TypeError(
                'DeepCluster trains on pseudo-labels: wrap the training '
                "dataset in dict(type='PseudoLabelDataset', dataset=...).")
        max_epochs = getattr(runner.train_loop, 'max_epochs', 1)
        if (wrapped and loader.num_workers > 0
                and getattr(loader, 'persistent_workers', False)
                and self.interval < max_epochs):
            raise ValueError(
                'DeepClusterHook re-assigns pseudo-labels between epochs, '
                'which persistent dataloader workers would never see: set '
                'train_dataloader.persistent_workers=False.')

    # ------------------------------------------------------------ extraction
    def _build_extract_loader(self, runner):
        if self._extract_loader is None:
            cfg = copy.deepcopy(self.extract_dataloader_cfg)
            cfg['sampler'] = dict(type='DefaultSampler', shuffle=False,
                                  round_up=True)
            cfg.setdefault('collate_fn', dict(type='default_collate'))
            cfg.setdefault('batch_size', 32)
            cfg.setdefault('num_workers', 0)
            self._extract_loader = runner.build_dataloader(strip_scope(cfg))
            n_train = len(runner.train_dataloader.dataset)
            n_extract = len(self._extract_loader.dataset)
            if n_extract != n_train:
                raise ValueError(
                    f'extract_dataloader has {n_extract} samples but the '
                    f'training set has {n_train}: both must list the same '
                    f'samples in the same order.')
        return self._extract_loader

    def extract(self, runner) -> Optional[np.ndarray]:
        """``(N, D)`` float32 features of the whole training set (see
        :func:`extract_dataset_features`; on every rank with
        ``init_memory``, else on rank 0 only)."""
        model = get_ori_model(runner.model)
        return extract_dataset_features(
            model, self._build_extract_loader(runner),
            model.extract_cluster_feat, everywhere=self.init_memory)

    # ------------------------------------------------------------ clustering
    def _kmeans(self, features: np.ndarray, epoch: int) -> np.ndarray:
        if self.pca_dim > 0:
            x = pca_whiten(features, self.pca_dim)
        else:
            x = l2_normalize(features)
        return kmeans(x, self.num_clusters, num_iters=self.kmeans_iters,
                      seed=self.seed + epoch).labels

    def _log_stats(self, runner, labels: np.ndarray,
                   epoch: int) -> Dict[str, float]:
        stats = cluster_stats(labels, self.num_clusters)
        if self.labels is not None and len(self.labels) == len(labels):
            stats['nmi_prev'] = normalized_mutual_info(self.labels, labels)
        runner.logger.info(
            'DeepClusterHook epoch {}: cluster sizes min {} / median {} / '
            'max {}, {} empty{}'.format(
                epoch, stats['min_size'], stats['median_size'],
                stats['max_size'], stats['num_empty'],
                f", NMI vs previous {stats['nmi_prev']:.4f}"
                if 'nmi_prev' in stats else ''))
        for key, value in stats.items():
            runner.message_hub.update_scalar(f'train/cluster_{key}', value)
        return stats

    def cluster(self, runner, epoch: Optional[int] = None) -> np.ndarray:
        """Extract, cluster on rank 0, broadcast and apply the labels.

        Args:
            runner: the runner.
            epoch (int, optional): the epoch the labels serve (seeds k-means
                and the head re-initialisation). Defaults to runner.epoch.

        Returns:
            np.ndarray: ``(N,)`` int64 labels (identical on every rank).
        """
        epoch = runner.epoch if epoch is None else epoch
        features = self.extract(runner)
        rank, _ = get_dist_info()
        n = len(runner.train_dataloader.dataset)
        device = next(get_ori_model(runner.model).parameters()).device
        # a failure of k-means on rank 0 (e.g. NaN features) stops every
        # rank, instead of leaving the others waiting at the broadcast
        kmeans_labels = on_rank0(lambda: self._kmeans(features, epoch),
                                 'DeepClusterHook k-means', device)
        labels = torch.zeros(n, dtype=torch.long)
        if rank == 0:
            labels = torch.from_numpy(kmeans_labels)
        labels = labels.to(device)
        broadcast(labels, 0)
        labels = labels.cpu().numpy()
        if rank == 0:
            self._log_stats(runner, labels, epoch)
            if self.save_labels:
                np.save(osp.join(runner.work_dir,
                                 f'cluster_epoch_{epoch}.npy'), labels)
        self._apply(runner, labels, update_model=True, epoch=epoch)
        if self.init_memory:
            get_ori_model(runner.model).memory_bank.init_memory(features,
                                                                labels)
        return labels

    def _apply(self, runner, labels: np.ndarray, update_model: bool,
               epoch: int = 0) -> None:
        """Hand ``labels`` to dataset and sampler; with ``update_model`` also
        set the loss weights and re-initialise the head (not on resume: the
        checkpoint restored both)."""
        model = get_ori_model(runner.model)
        loader = runner.train_dataloader
        if hasattr(loader.dataset, 'assign_labels'):
            loader.dataset.assign_labels(labels)
        if self.balanced_sampling:
            loader.sampler.set_labels(labels, self.num_clusters)
        if update_model and self.reweight and hasattr(model, 'set_reweight'):
            model.set_reweight(labels, self.reweight_pow)
        if update_model and self.reinit_head:
            self._reinit_head(model, epoch)
        self.labels = labels

    def _reinit_head(self, model, epoch: int) -> None:
        # seeded by (seed, epoch) without touching the global RNG stream, so
        # a resumed run re-initialises exactly like an uninterrupted one
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(self.seed + 7919 * (epoch + 1))
            model.head.init_weights()
        for tensor in list(model.head.parameters()) + list(
                model.head.buffers()):
            broadcast(tensor.data, 0)

    # ----------------------------------------------------------------- hooks
    def _memory_missing(self, runner) -> bool:
        """True when ``init_memory`` is set and the model's memory holds no
        clustering (a fresh model, or a checkpoint without the banks, such
        as MMSelfSup's)."""
        if not self.init_memory:
            return False
        return not bool(get_ori_model(runner.model).memory_bank.initialized)

    def before_train(self, runner) -> None:
        self._check(runner)
        restored, self._restored = self._restored, None
        missing = self._memory_missing(runner)
        if (restored is not None and runner.iter > 0
                and len(restored) == len(runner.train_dataloader.dataset)
                and not missing):
            # resumed: the model (head, loss weights, memory) is restored by
            # the checkpoint; only dataset and sampler need the labels
            self._apply(runner, restored, update_model=False)
            return
        if missing and (runner.iter > 0 or not self.initial):
            # a checkpoint without the memory (e.g. MMSelfSup's) was loaded:
            # never train on an empty memory
            runner.logger.warning(
                'DeepClusterHook: the memory bank is not initialised (the '
                'loaded checkpoint has none): rebuilding it from one '
                'extraction and clustering of the training set.')
            self.cluster(runner)
        elif self.initial:
            if missing:
                runner.logger.info(
                    'DeepClusterHook: initialising the memory bank from one '
                    'extraction and clustering of the training set.')
            self.cluster(runner)

    def after_train_epoch(self, runner) -> None:
        if self.is_last_train_epoch(runner):
            return
        if self.every_n_epochs(runner, self.interval):
            # labels for the next epoch (runner.epoch is the finished one)
            self.cluster(runner, epoch=runner.epoch + 1)

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        # rank 0 only; labels are identical on all ranks (broadcast)
        if self.labels is not None:
            checkpoint[CKPT_KEY] = dict(labels=torch.from_numpy(
                np.ascontiguousarray(self.labels)))

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        check_resumable(runner, checkpoint)
        state = checkpoint.get(CKPT_KEY)
        if state is not None:
            labels = state['labels']
            labels = labels.numpy() if isinstance(
                labels, torch.Tensor) else np.asarray(labels)
            self._restored = labels.astype(np.int64)
