"""Cluster-balanced sampler for DeepCluster (uniform over pseudo-labels)."""
from typing import Iterator, Optional, Sequence

import numpy as np
import torch
from mmengine.dataset import DefaultSampler

from mmpretrain.registry import DATA_SAMPLERS


def balanced_indices(labels: np.ndarray, num_samples: int,
                     generator: torch.Generator,
                     num_classes: Optional[int] = None) -> np.ndarray:
    """Draw ``num_samples`` indices with equal counts per cluster.

    MMSelfSup's uniform sampling: every cluster of ``num_classes`` (all of
    them, empty ones included) is allotted ``int(N / num_classes) + 1``
    draws, ``N = len(labels)``; a non-empty cluster draws them without
    replacement if it has more members than that and with replacement
    otherwise, an empty cluster draws nothing. The pool is shuffled and cut
    to ``num_samples``; if empty clusters left it shorter, it is repeated
    (MMSelfSup tiles it the same way).

    Args:
        labels (np.ndarray): ``(N,)`` cluster of every sample.
        num_samples (int): number of indices to return.
        generator (torch.Generator): the random stream.
        num_classes (int, optional): number of clusters k; defaults to
            ``labels.max() + 1``.

    Returns:
        np.ndarray: ``(num_samples,)`` int64 dataset indices.
    """
    labels = np.asarray(labels, dtype=np.int64).reshape(-1)
    if num_classes is None:
        num_classes = int(labels.max()) + 1
    per_cluster = int(len(labels) / num_classes) + 1
    order = np.argsort(labels, kind='stable')
    _, starts, counts = np.unique(labels[order], return_index=True,
                                  return_counts=True)
    pool = []
    for start, count in zip(starts, counts):
        members = order[start:start + count]
        if count > per_cluster:
            pick = torch.randperm(int(count), generator=generator)
            pick = pick[:per_cluster]
        else:
            pick = torch.randint(int(count), (per_cluster, ),
                                 generator=generator)
        pool.append(members[pick.numpy()])
    pool = np.concatenate(pool)
    perm = torch.randperm(len(pool), generator=generator).numpy()
    pool = pool[perm][:num_samples]
    if len(pool) < num_samples:
        pool = np.tile(pool, -(-num_samples // len(pool)))[:num_samples]
    return pool


@DATA_SAMPLERS.register_module()
class ClusterBalancedSampler(DefaultSampler):
    """DDP-aware sampler that samples clusters uniformly.

    Before :meth:`set_labels` is called it behaves like a shuffling
    ``DefaultSampler`` (with ``replace=True``: ``len(dataset)`` draws with
    replacement, as MMSelfSup's ODC recipe). Afterwards each epoch draws
    ``len(dataset)`` indices balanced over the clusters (see
    :func:`balanced_indices`). This is MMSelfSup's ``DeepClusterSampler``
    except that the balanced draw is redone every epoch from the current
    labels, where MMSelfSup's applies to the one epoch after a clustering.
    The order depends only on ``seed``, the epoch (:meth:`set_epoch`) and
    the labels, so it is identical on every rank and reproducible on resume.

    Only the epoch's order is this class's own: the round-up and the
    interleaved shard ``rank::world_size`` are mmengine's ``DefaultSampler``
    (its unshuffled iteration yields the positions of this rank in the
    rounded-up epoch; :meth:`__iter__` looks them up in the drawn order).

    Args:
        dataset: the training dataset (only its length is used).
        seed (int, optional): random seed; None draws one and syncs it across
            ranks. Defaults to None.
        round_up (bool): pad so every rank gets the same number of samples.
            Defaults to True.
        replace (bool): before labels are set, draw with replacement
            instead of permuting. Defaults to False.
    """

    def __init__(self, dataset, seed: Optional[int] = None,
                 round_up: bool = True, replace: bool = False) -> None:
        # shuffle=False: the parent yields positions, the order is ours
        super().__init__(dataset, shuffle=False, seed=seed,
                         round_up=round_up)
        self.seed = int(self.seed)
        self.replace = replace
        self.labels: Optional[np.ndarray] = None
        self.num_classes: Optional[int] = None

    def set_labels(self, labels: Sequence[int],
                   num_classes: Optional[int] = None) -> None:
        """Set the cluster label of every dataset sample.

        Args:
            labels (Sequence[int]): ``(N,)`` cluster indices.
            num_classes (int, optional): number of clusters k (empty ones
                included); defaults to ``max(labels) + 1``.
        """
        labels = np.asarray(labels, dtype=np.int64).reshape(-1)
        if labels.shape[0] != len(self.dataset):
            raise ValueError(
                f'ClusterBalancedSampler got {labels.shape[0]} labels for a '
                f'dataset of {len(self.dataset)} samples.')
        if num_classes is not None and labels.size and \
                int(labels.max()) >= num_classes:
            raise ValueError(
                f'ClusterBalancedSampler got label {int(labels.max())} for '
                f'{num_classes} clusters: pass the number of clusters.')
        self.labels = labels
        self.num_classes = num_classes

    def epoch_order(self) -> np.ndarray:
        """``(len(dataset),)`` dataset indices of the current epoch, before
        round-up and sharding."""
        g = torch.Generator()
        g.manual_seed(self.seed + self.epoch)
        n = len(self.dataset)
        if self.labels is not None:
            return balanced_indices(self.labels, n, g, self.num_classes)
        if self.replace:
            return torch.randint(n, (n, ), generator=g).numpy()
        return torch.randperm(n, generator=g).numpy()

    def __iter__(self) -> Iterator[int]:
        order = self.epoch_order().tolist()
        # the parent iterates positions 0..n-1, rounded up and sharded
        return iter([order[pos] for pos in super().__iter__()])
