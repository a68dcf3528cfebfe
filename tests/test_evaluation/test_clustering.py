import sys

import numpy as np
import pytest

from mmssl_ext.evaluation.functional.clustering import (cluster_stats,
                                                        kmeans, l2_normalize,
                                                        normalized_mutual_info,
                                                        pca_whiten)


def _blobs(n_per=50, k=4, d=8, seed=0):
    rng = np.random.default_rng(seed)
    centers = rng.normal(size=(k, d)) * 10
    x = np.concatenate([c + rng.normal(size=(n_per, d)) for c in centers])
    y = np.repeat(np.arange(k), n_per)
    return x.astype(np.float32), y


def test_kmeans_recovers_blobs_and_objective():
    x, y = _blobs()
    # one seed point per blob (random seeding may hit a local minimum)
    res = kmeans(x, 4, num_iters=20, init_centroids=x[[0, 50, 100, 150]])
    assert res.labels.shape == (200, ) and res.labels.dtype == np.int64
    assert normalized_mutual_info(res.labels, y) > 0.99
    # objective = sum of squared distances to the assigned final centroid
    ref = ((x - res.centroids[res.labels])**2).sum()
    assert res.objective == pytest.approx(ref, rel=1e-4)
    # labels are the nearest centroids
    d = ((x[:, None] - res.centroids[None])**2).sum(-1)
    assert (d.argmin(1) == res.labels).all()


def test_kmeans_is_deterministic_and_takes_init():
    x, _ = _blobs(seed=1)
    a = kmeans(x, 4, seed=3)
    b = kmeans(x, 4, seed=3)
    assert (a.labels == b.labels).all()
    init = x[[0, 50, 100, 150]]
    c = kmeans(x, 4, num_iters=1, init_centroids=init)
    assert c.centroids.shape == (4, 8)


def test_kmeans_bad_input():
    x, _ = _blobs(n_per=2, k=2)
    with pytest.raises(ValueError, match='must not exceed the number of'):
        kmeans(x, 5)
    with pytest.raises(ValueError, match='2-D'):
        kmeans(x[0], 2)
    bad = x.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match='NaN'):
        kmeans(bad, 2)


def test_missing_faiss_names_the_install(monkeypatch):
    monkeypatch.setitem(sys.modules, 'faiss', None)
    x, _ = _blobs()
    with pytest.raises(ImportError, match='pip install faiss-cpu'):
        kmeans(x, 4)


def test_pca_whiten():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(500, 16)) @ rng.normal(size=(16, 16))
    w = pca_whiten(x, 4, normalize=False)
    cov = np.cov(w.T.astype(np.float64))
    assert np.allclose(cov, np.eye(4), atol=0.05)
    wn = pca_whiten(x, 4)
    assert np.allclose(np.linalg.norm(wn, axis=1), 1, atol=1e-5)
    with pytest.raises(ValueError, match='pca_dim'):
        pca_whiten(x, 32)


def test_nmi_matches_sklearn():
    from sklearn.metrics import normalized_mutual_info_score
    rng = np.random.default_rng(0)
    for _ in range(5):
        a = rng.integers(0, 7, 300)
        b = (a + rng.integers(0, 3, 300)) % 9
        assert normalized_mutual_info(a, b) == pytest.approx(
            normalized_mutual_info_score(a, b), abs=1e-10)
    assert normalized_mutual_info(a, a + 5) == pytest.approx(1.0)


def test_cluster_stats_and_normalize():
    s = cluster_stats(np.array([0, 0, 0, 2]), 4)
    assert s == dict(min_size=0, median_size=0.5, max_size=3, num_empty=2)
    with pytest.raises(ValueError, match='0..3'):
        cluster_stats(np.array([4]), 4)
    x = l2_normalize(np.array([[3., 4.], [0., 0.]]))
    assert np.allclose(x[0], [0.6, 0.8]) and np.isfinite(x).all()
