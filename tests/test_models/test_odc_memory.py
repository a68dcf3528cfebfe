import numpy as np
import pytest
import torch

from mmssl_ext.models.memories.odc_memory import ODCMemory, odc_memory_bytes


def _normalize(x):
    return x / (np.linalg.norm(x, axis=1, keepdims=True) + 1e-10)


def _memory(n=40, d=8, k=4, momentum=0.5, min_cluster=3, seed=0):
    rng = np.random.default_rng(seed)
    feats = rng.normal(size=(n, d)).astype(np.float32)
    labels = np.arange(n) % k
    mem = ODCMemory(length=n, feat_dim=d, num_classes=k, momentum=momentum,
                    min_cluster=min_cluster)
    mem.init_memory(feats, labels)
    return mem, feats, labels


def _ref_centroids(feats, labels, k):
    return np.stack([feats[labels == c].mean(0) for c in range(k)])


def test_init_memory_matches_reference():
    mem, feats, labels = _memory()
    ref_feats = _normalize(feats)
    assert np.allclose(mem.feature_bank.numpy(), ref_feats, atol=1e-6)
    assert (mem.label_bank.numpy() == labels).all()
    assert np.allclose(mem.centroids.numpy(),
                       _ref_centroids(ref_feats, labels, 4), atol=1e-6)
    assert bool(mem.initialized)


def test_update_samples_memory_matches_reference():
    mem, _, _ = _memory(momentum=0.3)
    bank = mem.feature_bank.numpy().copy()
    lbl = mem.label_bank.numpy().copy()
    cent = mem.centroids.numpy().copy()
    rng = np.random.default_rng(1)
    # index 5 occurs twice: the last occurrence wins
    idx = np.array([5, 1, 7, 5, 30])
    new = rng.normal(size=(5, 8)).astype(np.float32)
    ratio = mem.update_samples_memory(torch.from_numpy(idx),
                                      torch.from_numpy(new))
    # plain reference of the paper's update
    keep = {i: j for j, i in enumerate(idx)}  # last occurrence
    changed = 0
    for i, j in keep.items():
        f = 0.7 * bank[i] + 0.3 * _normalize(new[j:j + 1])[0]
        f = f / (np.linalg.norm(f) + 1e-10)
        bank[i] = f
        new_label = int(np.argmax(cent @ f))
        changed += new_label != lbl[i]
        lbl[i] = new_label
    assert np.allclose(mem.feature_bank.numpy(), bank, atol=1e-6)
    assert (mem.label_bank.numpy() == lbl).all()
    assert float(ratio) == pytest.approx(changed / len(keep))
    # centroids only move when asked to
    assert np.allclose(mem.centroids.numpy(), cent)
    mem.update_centroids_memory()
    assert np.allclose(mem.centroids.numpy(),
                       _ref_centroids(bank, lbl, 4), atol=1e-6)


def test_small_clusters_never_leave_empty_clusters_or_nan():
    rng = np.random.default_rng(0)
    for trial in range(20):
        n, k = int(rng.integers(12, 60)), int(rng.integers(2, 10))
        k = min(k, n)
        feats = rng.normal(size=(n, 6)).astype(np.float32)
        if trial % 4 == 0:
            feats[:] = 1.0  # identical features: 2-means cannot split
        # skewed labels: many tiny and empty clusters
        labels = rng.choice(k, size=n, p=np.r_[0.7, [0.3 / (k - 1)] *
                                              (k - 1)])
        mem = ODCMemory(length=n, feat_dim=6, num_classes=k,
                        min_cluster=int(rng.integers(1, 6)))
        mem.init_memory(feats, labels)
        assert (mem.cluster_sizes() > 0).all()
        mem.deal_with_small_clusters()
        sizes = mem.cluster_sizes()
        assert (sizes > 0).all(), (trial, sizes)
        assert sizes.sum() == n
        assert torch.isfinite(mem.centroids).all()
        assert torch.isfinite(mem.feature_bank).all()


def test_small_cluster_members_move_to_nearest_kept_centroid():
    mem, _, _ = _memory(n=40, k=4, min_cluster=3)
    # make cluster 3 small: keep 2 of its members
    members = (mem.label_bank == 3).nonzero().view(-1)
    mem.label_bank[members[2:]] = 0
    mem.update_centroids_memory()
    moved = members[:2]
    feats = mem.feature_bank[moved].numpy()
    cent = mem.centroids.numpy()[:3]
    expect = np.argmax(feats @ cent.T, axis=1)
    assert mem.deal_with_small_clusters() == 1
    # the dissolved cluster was refilled from a split of the largest one
    assert (mem.cluster_sizes() > 0).all()
    got = mem.label_bank[moved].numpy()
    assert ((got == expect) | (got == 3)).all()


def test_state_dict_round_trip_is_bit_exact():
    mem, _, _ = _memory()
    mem.update_samples_memory(torch.arange(6), torch.randn(6, 8))
    state = mem.state_dict()
    assert set(state) == {'feature_bank', 'label_bank', 'centroids',
                          'initialized'}
    other = ODCMemory(length=40, feat_dim=8, num_classes=4)
    other.load_state_dict(state)
    for key, value in state.items():
        assert torch.equal(other.state_dict()[key], value)


def test_bad_input_errors():
    with pytest.raises(ValueError, match='must not exceed the dataset size'):
        ODCMemory(length=5, feat_dim=4, num_classes=10)
    mem = ODCMemory(length=10, feat_dim=4, num_classes=2)
    with pytest.raises(RuntimeError, match='DeepClusterHook'):
        mem.update_samples_memory(torch.arange(2), torch.randn(2, 4))
    with pytest.raises(ValueError, match='feat_dim'):
        mem.init_memory(np.zeros((10, 3)), np.zeros(10, int))
    mem.init_memory(np.random.rand(10, 4), np.arange(10) % 2)
    with pytest.raises(ValueError, match='out_channels'):
        mem.update_samples_memory(torch.arange(2), torch.randn(2, 3))
    with pytest.raises(IndexError, match='length'):
        mem.update_samples_memory(torch.tensor([10]), torch.randn(1, 4))


def test_memory_bytes_at_imagenet_scale():
    b = odc_memory_bytes(1281167, 256, 10000)
    assert b['feature_bank'] == 1281167 * 256 * 4
    assert b['total'] == b['feature_bank'] + 1281167 * 8 + 10000 * 256 * 4


def test_empty_cluster_keeps_its_centroid_on_update():
    # MMSelfSup's _compute_centroids updates non-empty clusters only
    mem, _, _ = _memory()
    before = mem.centroids.clone()
    mem.label_bank[mem.label_bank == 2] = 1  # cluster 2 becomes empty
    mem.update_centroids_memory()
    feats, labels = mem.feature_bank.numpy(), mem.label_bank.numpy()
    for c in (0, 1, 3):
        assert np.allclose(mem.centroids[c].numpy(),
                           feats[labels == c].mean(0), atol=1e-6)
    assert torch.equal(mem.centroids[2], before[2])


def test_non_finite_init_features_are_refused_and_nothing_written():
    mem = ODCMemory(length=10, feat_dim=4, num_classes=2)
    feats = np.random.default_rng(0).normal(size=(10, 4)).astype(np.float32)
    feats[3, 1] = np.nan
    feats[7, 0] = np.inf
    with pytest.raises(FloatingPointError,
                       match=r'2 of 10 samples.*row 3.*diverged.*'
                       r'learning rate'):
        mem.init_memory(feats, np.arange(10) % 2)
    assert not bool(mem.initialized)
    assert not mem.feature_bank.any() and not mem.label_bank.any()
    assert not mem.centroids.any()


def test_non_finite_update_writes_nothing_and_is_reported_later():
    mem, _, _ = _memory()
    before = {k: v.clone() for k, v in mem.state_dict().items()}
    bad = torch.randn(3, 8)
    bad[1, 2] = float('nan')
    ratio = mem.update_samples_memory(torch.tensor([4, 9, 17]), bad)
    # nothing is written (not even the finite rows of the batch) ...
    for key, value in mem.state_dict().items():
        assert torch.equal(value, before[key]), key
    assert float(ratio) == 0.0
    # ... and the check (hooks call it every logging interval) raises
    with pytest.raises(FloatingPointError, match=r'1 training step.*NaN/Inf.*'
                       r'diverged.*lower the learning rate'):
        mem.check_finite()
    # a finite step still updates
    mem.update_samples_memory(torch.tensor([4]), torch.randn(1, 8))
    assert not torch.equal(mem.feature_bank[4], before['feature_bank'][4])


def test_index_checks_never_read_device_tensors():
    """Indices validated once (check_fits_dataset before training); the
    per-step check only looks at host (CPU) tensors, never syncs."""
    mem, _, _ = _memory()
    mem.check_indices(torch.tensor([0, 39]))
    # 'meta' tensors hold no data: reading one would raise
    mem.check_indices(torch.tensor([0, 99], device='meta'))
    with pytest.raises(ValueError, match='length=41 .*set '
                       r'model.memory_bank.length .*to 40'):
        ODCMemory(length=41, feat_dim=8, num_classes=4).check_fits_dataset(40)
