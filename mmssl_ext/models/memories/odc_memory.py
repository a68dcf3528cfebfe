"""Online Deep Clustering memory: per-sample features, labels and centroids.

Paper: Online Deep Clustering for Unsupervised Representation Learning,
https://arxiv.org/abs/2006.10645
"""
from typing import Optional, Sequence, Union

import numpy as np
import torch
from mmengine.dist import broadcast, get_dist_info

from mmpretrain.registry import MODELS
from mmssl_ext.models.utils.mmselfsup_checkpoint import \
    fill_missing_memory
from .base_memory import BaseMemory


def _two_means(feats: torch.Tensor, num_iters: int = 10) -> torch.Tensor:
    """Deterministic 2-means split; returns a bool mask of the second part.

    Seeds: the sample farthest from the mean and the sample farthest from that
    one, then ``num_iters`` Lloyd steps. ``feats`` is ``(M, D)`` with
    ``M >= 2``; if the features cannot be separated (all identical) the
    second half of the rows is returned, so both parts are non-empty.
    """
    mean = feats.mean(dim=0, keepdim=True)
    c0 = feats[((feats - mean)**2).sum(1).argmax()]
    c1 = feats[((feats - c0)**2).sum(1).argmax()]
    centers = torch.stack([c0, c1])
    part = None
    for _ in range(num_iters):
        dist = torch.cdist(feats, centers)  # (M, 2)
        part = dist[:, 1] < dist[:, 0]
        if part.all() or not part.any():
            break
        centers = torch.stack([feats[~part].mean(0), feats[part].mean(0)])
    if part is None or part.all() or not part.any():
        part = torch.zeros(feats.shape[0], dtype=torch.bool,
                           device=feats.device)
        part[feats.shape[0] // 2:] = True
    return part


@MODELS.register_module()
class ODCMemory(BaseMemory):
    """Feature bank, label bank and centroids of ODC.

    Every piece of state is a registered (persistent) buffer, so mmengine
    checkpoints it and resume restores it:

    - ``feature_bank`` ``(length, feat_dim)``: L2-normalised features,
    - ``label_bank`` ``(length,)`` int64: current cluster of each sample,
    - ``centroids`` ``(num_classes, feat_dim)``,
    - ``initialized`` (bool scalar): whether :meth:`init_memory` has run;
      loading a checkpoint without the banks (MMSelfSup's) sets it False.

    In distributed training every rank holds the full banks and ends every
    step with identical copies: the batch indices and features of all ranks
    are all-gathered (batches may differ in size per rank) and every rank
    applies the same update (no reliance on DDP buffer broadcasting; use
    ``broadcast_buffers=False``). A step whose features hold NaN/Inf writes
    nothing; :meth:`check_finite` (called by ``ODCHook``) then raises.
    Global work (centroid computation, small-cluster handling) runs on rank
    0 and is broadcast. All public methods must be called on every rank.

    Args:
        length (int): number of samples in the training set.
        feat_dim (int): feature dimension (the neck's ``out_channels``).
        num_classes (int): number of clusters K.
        momentum (float): weight of the new feature in the update
            ``f <- normalize((1 - momentum) * f + momentum * f_new)``.
            Defaults to 0.5.
        min_cluster (int): clusters with fewer samples are dissolved by
            :meth:`deal_with_small_clusters`. Defaults to 20.
        init_cfg (dict, optional): initialisation config. Defaults to None.
    """

    def __init__(self,
                 length: int,
                 feat_dim: int,
                 num_classes: int,
                 momentum: float = 0.5,
                 min_cluster: int = 20,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if num_classes < 2:
            raise ValueError(f'ODCMemory needs num_classes >= 2, got '
                             f'{num_classes}.')
        if num_classes > length:
            raise ValueError(
                f'ODCMemory: {num_classes} clusters for {length} samples; the '
                f'number of clusters must not exceed the dataset size. Lower '
                f'`num_classes` (memory and head) or use more data.')
        if not 0.0 < momentum <= 1.0:
            raise ValueError(f'momentum must be in (0, 1], got {momentum}.')
        self.length = int(length)
        self.feat_dim = int(feat_dim)
        self.num_classes = int(num_classes)
        self.momentum = float(momentum)
        self.min_cluster = int(min_cluster)
        self.register_buffer('feature_bank',
                             torch.zeros(length, feat_dim))
        self.register_buffer('label_bank',
                             torch.zeros(length, dtype=torch.long))
        self.register_buffer('centroids', torch.zeros(num_classes, feat_dim))
        self.register_buffer('initialized', torch.tensor(False))
        # host copy of `initialized`: read every step without a device sync
        self._ready = False

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs):
        # MMSelfSup checkpoints lack the banks (0.x: none, 1.x: centroids
        # only): keep ours and mark the memory uninitialised, so that
        # DeepClusterHook(init_memory=True) rebuilds it
        if fill_missing_memory(self, state_dict, prefix,
                               ('feature_bank', 'label_bank', 'centroids')):
            state_dict[prefix + 'initialized'] = torch.tensor(False)
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)
        self._ready = bool(self.initialized)

    # ------------------------------------------------------------------ init
    @torch.no_grad()
    def init_memory(self, features: Union[np.ndarray, torch.Tensor],
                    labels: Union[np.ndarray, torch.Tensor]) -> None:
        """Fill the banks from a full-dataset clustering.

        Args:
            features (np.ndarray | Tensor): ``(length, feat_dim)`` features of
                every training sample (identical on all ranks).
            labels (np.ndarray | Tensor): ``(length,)`` cluster indices.
        """
        features = torch.as_tensor(np.asarray(features), dtype=torch.float32)
        labels = torch.as_tensor(np.asarray(labels), dtype=torch.long)
        if features.shape != (self.length, self.feat_dim):
            raise ValueError(
                f'ODCMemory.init_memory got features of shape '
                f'{tuple(features.shape)}, expected ({self.length}, '
                f'{self.feat_dim}). Set the memory `length` to the training '
                f'set size and `feat_dim` to the neck output size.')
        if labels.shape != (self.length, ):
            raise ValueError(f'labels must have shape ({self.length},), got '
                             f'{tuple(labels.shape)}.')
        if labels.min() < 0 or labels.max() >= self.num_classes:
            raise ValueError(f'labels must lie in 0..{self.num_classes - 1}.')
        self._check_finite_init(features)
        device = self.feature_bank.device
        features = features / (features.norm(dim=1, keepdim=True) + 1e-10)
        self.feature_bank.copy_(features.to(device))
        self.label_bank.copy_(labels.to(device))
        self.initialized.fill_(True)
        self._ready = True
        self.update_centroids_memory()
        self.deal_with_small_clusters(min_cluster=1)

    # ------------------------------------------------------------ per step
    @torch.no_grad()
    def update_samples_memory(self, idx: torch.Tensor,
                              feature: torch.Tensor) -> torch.Tensor:
        """Momentum-update the features of a batch and re-assign labels.

        Call on every rank with the rank's own batch: indices and features
        are all-gathered so all ranks apply the same update. A sample that
        occurs several times in the global batch is updated once, with its
        last occurrence (rank order, then batch order).

        Args:
            idx (Tensor): ``(B,)`` dataset indices of the batch.
            feature (Tensor): ``(B, feat_dim)`` features (need not be
                normalised).

        Returns:
            Tensor: scalar, the fraction of updated samples whose label
            changed.
        """
        if not self._ready:
            raise RuntimeError(
                'ODCMemory is used before init_memory(): add '
                "dict(type='DeepClusterHook', init_memory=True, ...) to "
                '`custom_hooks` so the memory is initialised before training.')
        if feature.dim() != 2 or feature.shape[1] != self.feat_dim:
            raise ValueError(
                f'ODCMemory got features of shape {tuple(feature.shape)} but '
                f'its feat_dim is {self.feat_dim}: make the neck '
                f'`out_channels` equal the memory `feat_dim`.')
        if idx.numel() != feature.shape[0]:
            raise ValueError(f'{idx.numel()} indices for {feature.shape[0]} '
                             f'features.')
        self.check_indices(idx)
        idx = idx.to(self.label_bank.device).long().view(-1)
        feature = feature.detach().to(self.feature_bank)
        feature = feature / (feature.norm(dim=1, keepdim=True) + 1e-10)
        idx, feature, finite = self.global_batch(idx, feature)
        # momentum update of the normalised features, (U, D); nothing is
        # written when a feature is not finite
        old = self.feature_bank[idx]
        mixed = (1 - self.momentum) * old + self.momentum * feature
        mixed = mixed / (mixed.norm(dim=1, keepdim=True) + 1e-10)
        mixed = torch.where(finite, mixed, old)
        self.feature_bank[idx] = mixed
        # re-assign to the most similar centroid, (U,)
        new_labels = torch.where(finite,
                                 (mixed @ self.centroids.t()).argmax(dim=1),
                                 self.label_bank[idx])
        change_ratio = (new_labels != self.label_bank[idx]).float().mean()
        self.label_bank[idx] = new_labels
        return change_ratio

    # ------------------------------------------------------------ centroids
    def _compute_centroids(self, cinds: Optional[torch.Tensor] = None
                           ) -> torch.Tensor:
        """Mean feature of each cluster in ``cinds`` (all if None).

        An empty cluster keeps its current centroid, as in MMSelfSup.
        Returns ``(len(cinds), D)``.
        """
        labels, feats = self.label_bank, self.feature_bank
        sums = torch.zeros_like(self.centroids).index_add_(0, labels, feats)
        counts = torch.bincount(labels, minlength=self.num_classes)
        centroids = sums / counts.clamp(min=1).unsqueeze(1).to(sums)
        empty = counts == 0
        centroids[empty] = self.centroids[empty]
        return centroids if cinds is None else centroids[cinds]

    @torch.no_grad()
    def update_centroids_memory(self,
                                cinds: Optional[Sequence[int]] = None
                                ) -> None:
        """Recompute centroids (all, or those in ``cinds``) on rank 0 and
        broadcast them. Call on every rank."""
        rank, _ = get_dist_info()
        if rank == 0:
            if cinds is None:
                self.centroids.copy_(self._compute_centroids())
            else:
                cinds = torch.as_tensor(list(cinds), dtype=torch.long,
                                        device=self.centroids.device)
                self.centroids[cinds] = self._compute_centroids(cinds)
        broadcast(self.centroids, 0)

    # ------------------------------------------------------- small clusters
    def cluster_sizes(self) -> torch.Tensor:
        """``(num_classes,)`` number of samples per cluster."""
        return torch.bincount(self.label_bank, minlength=self.num_classes)

    def _small_clusters(self, min_cluster: int) -> torch.Tensor:
        sizes = self.cluster_sizes()
        small = sizes < min_cluster
        if bool(small.all()):
            # nothing would be left to absorb them: only refill empty ones
            small = sizes == 0
        return small

    @torch.no_grad()
    def deal_with_small_clusters(self,
                                 min_cluster: Optional[int] = None) -> int:
        """Dissolve clusters smaller than ``min_cluster`` and refill them.

        Samples of a small cluster move to their most similar remaining
        centroid; then each emptied cluster takes one half of a 2-means split
        of the currently largest cluster (centroids of both are recomputed).
        No cluster is empty afterwards. Work runs on rank 0; the label bank
        and centroids are broadcast. Call on every rank.

        Args:
            min_cluster (int, optional): threshold; defaults to
                ``self.min_cluster``.

        Returns:
            int: number of clusters that were dissolved and refilled.
        """
        min_cluster = self.min_cluster if min_cluster is None else min_cluster
        # identical label banks -> identical decision on every rank
        small = self._small_clusters(min_cluster)
        num_small = int(small.sum())
        if num_small == 0:
            return 0
        rank, _ = get_dist_info()
        if rank == 0:
            self._dissolve(small)
            for empty in small.nonzero().view(-1).tolist():
                self._refill(empty)
        broadcast(self.label_bank, 0)
        broadcast(self.centroids, 0)
        return num_small

    def _dissolve(self, small: torch.Tensor, chunk: int = 65536) -> None:
        members = small[self.label_bank].nonzero().view(-1)
        keep = (~small).nonzero().view(-1)
        keep_centroids = self.centroids[keep]  # (K', D)
        for start in range(0, members.numel(), chunk):
            ind = members[start:start + chunk]
            sim = self.feature_bank[ind] @ keep_centroids.t()
            self.label_bank[ind] = keep[sim.argmax(dim=1)]

    def _refill(self, empty: int) -> None:
        sizes = self.cluster_sizes()
        largest = int(sizes.argmax())
        members = (self.label_bank == largest).nonzero().view(-1)
        if members.numel() < 2:  # only if num_classes > length (refused)
            raise RuntimeError('Cannot refill an empty cluster: every '
                               'cluster has at most one sample.')
        feats = self.feature_bank[members]
        if not torch.isfinite(feats).all():
            raise FloatingPointError(
                'ODCMemory feature bank holds NaN/Inf values; training '
                'diverged (lower the learning rate).')
        part = _two_means(feats)
        self.label_bank[members[part]] = empty
        self.centroids[[largest, empty]] = self._compute_centroids(
            torch.tensor([largest, empty], device=self.centroids.device))

    def extra_repr(self) -> str:
        return (f'length={self.length}, feat_dim={self.feat_dim}, '
                f'num_classes={self.num_classes}, momentum={self.momentum}, '
                f'min_cluster={self.min_cluster}')


def odc_memory_bytes(length: int, feat_dim: int, num_classes: int) -> dict:
    """Bytes held by an :class:`ODCMemory` (float32 features, int64 labels).

    Returns:
        dict: ``feature_bank``, ``label_bank``, ``centroids`` and ``total``.
    """
    out = dict(feature_bank=length * feat_dim * 4, label_bank=length * 8,
               centroids=num_classes * feat_dim * 4)
    out['total'] = sum(out.values())
    return out

