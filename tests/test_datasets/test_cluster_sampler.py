import numpy as np
import pytest

import mmssl_ext  # noqa: F401
from mmpretrain.registry import DATA_SAMPLERS


def _sampler(n=1000, seed=0, rank=0, world=1, labels=None):
    s = DATA_SAMPLERS.build(dict(type='ClusterBalancedSampler', seed=seed),
                            default_args=dict(dataset=list(range(n))))
    if world > 1:  # simulate a rank of a DDP job
        s.rank, s.world_size = rank, world
        s.num_samples = -(-n // world)
        s.total_size = s.num_samples * world
    if labels is not None:
        s.set_labels(labels)
    return s


def _skewed_labels(n=1000, k=10, seed=0):
    rng = np.random.default_rng(seed)
    p = np.r_[0.55, [0.45 / (k - 2)] * (k - 2), 0.0]  # last cluster empty
    return rng.choice(k, size=n, p=p)


def test_balanced_over_non_empty_clusters():
    labels = _skewed_labels()
    s = _sampler(labels=labels)
    idx = np.array(list(iter(s)))
    assert len(idx) == len(s) == 1000
    counts = np.bincount(labels[idx], minlength=10)
    assert counts[-1] == 0  # empty cluster is never drawn
    # 9 non-empty clusters, ~111 draws each (cut to 1000 after shuffling)
    assert counts[:9].min() >= 80 and counts[:9].max() <= 112
    # large clusters are sampled without replacement within an epoch
    big = idx[labels[idx] == 0]
    assert len(np.unique(big)) == len(big)


def test_deterministic_given_seed_and_epoch():
    labels = _skewed_labels()
    a, b = _sampler(labels=labels), _sampler(labels=labels)
    assert list(iter(a)) == list(iter(b))
    a.set_epoch(1)
    assert list(iter(a)) != list(iter(b))
    b.set_epoch(1)
    assert list(iter(a)) == list(iter(b))
    c = _sampler(seed=1, labels=labels)
    assert list(iter(c)) != list(iter(_sampler(labels=labels)))


def test_ddp_shards_partition_the_epoch():
    labels = _skewed_labels(n=999)
    full = list(iter(_sampler(n=999, labels=labels)))
    shards = [list(iter(_sampler(n=999, rank=r, world=2, labels=labels)))
              for r in range(2)]
    assert len(shards[0]) == len(shards[1]) == 500
    merged = [None] * 1000
    merged[0::2], merged[1::2] = shards
    assert merged[:999] == full and merged[999] == full[0]


def test_without_labels_is_a_permutation_and_bad_labels():
    s = _sampler(n=50)
    assert sorted(iter(s)) == list(range(50))
    with pytest.raises(ValueError, match='50 samples'):
        s.set_labels(np.zeros(49, int))


def _reference_composition(labels, k):
    """MMSelfSup's uniform sampling: int(N / k) + 1 draws for every
    non-empty cluster of all k clusters (empty ones draw nothing), without
    replacement only where the cluster has more members than that."""
    per = int(len(labels) / k) + 1
    sizes = np.bincount(labels, minlength=k)
    return {c: per for c in range(k) if sizes[c] > 0}, per


def test_composition_matches_reference_over_all_k_clusters():
    import torch
    from mmssl_ext.datasets.samplers.cluster_balanced_sampler import \
        balanced_indices
    labels = _skewed_labels(n=1000, k=10)  # cluster 9 is empty
    expected, per = _reference_composition(labels, k=12)  # 2 more empty
    assert per == 84
    total = sum(expected.values())  # 9 * 84 = 756 < 1000
    idx = balanced_indices(labels, total, torch.Generator().manual_seed(0),
                           num_classes=12)
    counts = np.bincount(labels[idx], minlength=12)
    assert {c: int(n) for c, n in enumerate(counts) if n} == expected
    big = idx[labels[idx] == 0]  # 550 members > 84: no repeats
    assert len(np.unique(big)) == len(big) == per
    # through the sampler: the 756 draws are repeated up to len(dataset)
    s = _sampler(n=1000)
    s.set_labels(labels, num_classes=12)
    full = np.array(list(iter(s)))
    assert len(full) == 1000
    assert (full[total:] == full[:1000 - total]).all()
    counts = np.bincount(labels[full[:total]], minlength=12)
    assert {c: int(n) for c, n in enumerate(counts) if n} == expected
    with pytest.raises(ValueError, match='number of clusters'):
        s.set_labels(labels, num_classes=8)  # label 8 exists


def test_replace_draws_with_replacement_before_labels():
    s = DATA_SAMPLERS.build(
        dict(type='ClusterBalancedSampler', seed=0, replace=True),
        default_args=dict(dataset=list(range(200))))
    idx = list(iter(s))
    assert len(idx) == 200 and min(idx) >= 0 and max(idx) < 200
    assert len(set(idx)) < 200  # repeats: drawn with replacement
    assert idx == list(iter(s))


def test_round_up_and_sharding_are_default_samplers():
    """Only the epoch order is the sampler's own: length, round-up, sharding
    and set_epoch are mmengine's DefaultSampler."""
    from mmengine.dataset import DefaultSampler

    from mmssl_ext.datasets.samplers.cluster_balanced_sampler import \
        ClusterBalancedSampler
    assert issubclass(ClusterBalancedSampler, DefaultSampler)
    for name in ('__len__', 'set_epoch'):
        assert name not in vars(ClusterBalancedSampler), name
    labels = _skewed_labels(n=7, k=3)
    for round_up in (True, False):
        s = ClusterBalancedSampler(list(range(7)), seed=3, round_up=round_up)
        s.set_labels(labels)
        order = s.epoch_order().tolist()
        parent = DefaultSampler(list(range(7)), shuffle=False, seed=0,
                                round_up=round_up)
        for rank in range(3):  # 3 ranks: 7 -> 9 with round-up
            for sampler in (s, parent):
                sampler.rank, sampler.world_size = rank, 3
                sampler.total_size = 9 if round_up else 7
            shard = list(iter(s))
            assert shard == [order[p] for p in iter(parent)]
            if round_up:  # padded with the epoch's first samples
                assert shard == (order + order)[rank:9:3]
