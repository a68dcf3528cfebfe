"""Cluster-balanced sampler for DeepCluster (uniform over pseudo-labels)."""
import math
from typing import Iterator, Optional, Sequence

import numpy as np
import torch
from mmengine.dist import get_dist_info, sync_random_seed
from torch.utils.data import Sampler

from mmpretrain.registry import DATA_SAMPLERS


def balanced_indices(labels: np.ndarray, num_samples: int,
                     generator: torch.Generator) -> np.ndarray:
    """Draw ``num_samples`` indices with (nearly) equal counts per cluster.

    Every non-empty cluster contributes ``ceil(num_samples / C)`` draws (C =
    number of non-empty clusters), without replacement where the cluster is
    large enough and with replacement otherwise; the pool is shuffled and cut
    to ``num_samples``.
    """
    order = np.argsort(labels, kind='stable')
    uniq, starts, counts = np.unique(labels[order], return_index=True,
                                     return_counts=True)
    per_cluster = math.ceil(num_samples / len(uniq))
    pool = []
    for start, count in zip(starts, counts):
        members = order[start:start + count]
        if count >= per_cluster:
            pick = torch.randperm(int(count), generator=generator)
            pick = pick[:per_cluster]
        else:
            pick = torch.randint(int(count), (per_cluster, ),
                                 generator=generator)
        pool.append(members[pick.numpy()])
    pool = np.concatenate(pool)
    perm = torch.randperm(len(pool), generator=generator).numpy()
    return pool[perm][:num_samples]


@DATA_SAMPLERS.register_module()
class ClusterBalancedSampler(Sampler):
    """DDP-aware sampler that samples clusters uniformly.

    Before :meth:`set_labels` is called it behaves like a shuffling
    ``DefaultSampler``. Afterwards each epoch draws ``len(dataset)`` indices
    balanced over the non-empty clusters (see :func:`balanced_indices`).
    The order depends only on ``seed``, the epoch (:meth:`set_epoch`) and
    the labels, so it is identical on every rank (which then take the
    interleaved shard ``rank::world_size``) and reproducible on resume.

    Args:
        dataset: the training dataset (only its length is used).
        seed (int, optional): random seed; None draws one and syncs it across
            ranks. Defaults to None.
        round_up (bool): pad so every rank gets the same number of samples.
            Defaults to True.
    """

    def __init__(self, dataset, seed: Optional[int] = None,
                 round_up: bool = True) -> None:
        rank, world_size = get_dist_info()
        self.rank, self.world_size = rank, world_size
        self.dataset = dataset
        self.seed = sync_random_seed() if seed is None else int(seed)
        self.round_up = round_up
        self.epoch = 0
        self.labels: Optional[np.ndarray] = None
        n = len(dataset)
        if round_up:
            self.num_samples = math.ceil(n / world_size)
            self.total_size = self.num_samples * world_size
        else:
            self.num_samples = math.ceil((n - rank) / world_size)
            self.total_size = n

    def set_labels(self, labels: Sequence[int]) -> None:
        """Set the cluster label of every dataset sample ``(N,)``."""
        labels = np.asarray(labels, dtype=np.int64).reshape(-1)
        if labels.shape[0] != len(self.dataset):
            raise ValueError(
                f'ClusterBalancedSampler got {labels.shape[0]} labels for a '
                f'dataset of {len(self.dataset)} samples.')
        self.labels = labels

    def __iter__(self) -> Iterator[int]:
        g = torch.Generator()
        g.manual_seed(self.seed + self.epoch)
        n = len(self.dataset)
        if self.labels is None:
            indices = torch.randperm(n, generator=g).numpy()
        else:
            indices = balanced_indices(self.labels, n, g)
        indices = indices.tolist()
        if self.round_up and self.total_size > len(indices):
            reps = math.ceil(self.total_size / len(indices))
            indices = (indices * reps)[:self.total_size]
        return iter(indices[self.rank:self.total_size:self.world_size])

    def __len__(self) -> int:
        return self.num_samples

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch
