"""Clustering kernels used by DeepCluster / ODC and their hooks.

* :func:`kmeans` - Lloyd k-means through faiss (CPU or GPU build), with a clear
  error and install hint when faiss is missing (there is no silent fallback).
* :func:`pca_whiten` - PCA-whitening to ``dim`` components (DeepCluster uses
  256) followed by optional L2 normalisation.
* :func:`l2_normalize`, :func:`normalized_mutual_info`, :func:`cluster_stats`.

All functions take and return NumPy arrays (``float32`` features, ``int64``
labels) because they run on one process (rank 0) on the whole data set.
"""
from typing import Dict, NamedTuple, Optional

import numpy as np
import torch

from mmssl_ext.utils.finite import check_finite_rows

FAISS_INSTALL_HINT = (
    'faiss is required for k-means clustering (DeepCluster / ODC). Install it '
    'with `pip install faiss-cpu` (or `conda install -c pytorch faiss-gpu` '
    'for the GPU build).')


def import_faiss():
    """Import faiss or raise an ImportError naming the install command."""
    try:
        import faiss
    except ImportError as exc:  # pragma: no cover - depends on the env
        raise ImportError(FAISS_INSTALL_HINT) from exc
    return faiss


class KMeansResult(NamedTuple):
    """Outcome of :func:`kmeans`.

    Attributes:
        labels (np.ndarray): ``(N,)`` int64, index of the nearest centroid.
        centroids (np.ndarray): ``(K, D)`` float32 final centroids.
        objective (float): sum over samples of the squared L2 distance to the
            assigned (final) centroid.
    """
    labels: np.ndarray
    centroids: np.ndarray
    objective: float


def _as_features(features: np.ndarray, name: str = 'features') -> np.ndarray:
    features = np.ascontiguousarray(np.asarray(features, dtype=np.float32))
    if features.ndim != 2:
        raise ValueError(f'{name} must be a 2-D (num_samples, dim) array, '
                         f'got shape {features.shape}; flatten or pool them '
                         f'first.')
    check_finite_rows(
        torch.from_numpy(features), 'clustering', name,
        'The model that extracted them has most likely diverged: lower the '
        'learning rate, or start from an earlier checkpoint.')
    return features


def l2_normalize(features: np.ndarray, eps: float = 1e-10,
                 dtype: type = np.float32) -> np.ndarray:
    """Row-wise ``x / (||x|| + eps)``, computed in ``dtype``.

    The callers keep their reference's numerics: clustering uses float32 and
    ``eps=1e-10``, the VOC07 SVM protocol float64 and ``eps=1e-5``.

    Args:
        features (np.ndarray): ``(N, D)`` features.
        eps (float): added to each norm. Defaults to 1e-10.
        dtype (type): computation and output dtype. Defaults to np.float32.

    Returns:
        np.ndarray: ``(N, D)`` of ``dtype``.
    """
    features = np.asarray(features, dtype=dtype)
    norms = np.linalg.norm(features, axis=1, keepdims=True)
    return (features / (norms + eps)).astype(dtype, copy=False)


def pca_whiten(features: np.ndarray,
               dim: int = 256,
               normalize: bool = True) -> np.ndarray:
    """PCA-whiten features to ``dim`` components, then L2-normalise.

    The projection keeps the ``dim`` leading principal components of the
    centred data and scales each by ``eigenvalue ** -0.5`` (as in DeepCluster,
    https://arxiv.org/abs/1807.05520), so the output has (approximately)
    identity covariance before normalisation.

    Args:
        features (np.ndarray): ``(N, D)`` features.
        dim (int): output dimension, ``<= D``. Defaults to 256.
        normalize (bool): L2-normalise the whitened rows. Defaults to True.

    Returns:
        np.ndarray: ``(N, dim)`` float32.
    """
    features = _as_features(features)
    n, d = features.shape
    if not 0 < dim <= d:
        raise ValueError(f'PCA dimension {dim} must be in 1..{d} (the feature '
                         f'dimension); lower `pca_dim` or set it to -1 to '
                         f'skip PCA.')
    if n < 2:
        raise ValueError('PCA-whitening needs at least 2 samples.')
    faiss = import_faiss()
    mat = faiss.PCAMatrix(d, dim, -0.5)
    mat.train(features)
    # faiss' eigenvalues are those of X^T X (not divided by N): rescale to
    # unit variance per component
    out = mat.apply(features) * np.float32(np.sqrt(n))
    return l2_normalize(out) if normalize else out.astype(np.float32)


def kmeans(features: np.ndarray,
           k: int,
           num_iters: int = 20,
           seed: int = 0,
           init_centroids: Optional[np.ndarray] = None,
           max_points_per_centroid: Optional[int] = None,
           use_gpu: bool = False,
           verbose: bool = False) -> KMeansResult:
    """Lloyd k-means with faiss.

    Args:
        features (np.ndarray): ``(N, D)`` features (float32).
        k (int): number of clusters, ``2 <= k <= N``.
        num_iters (int): Lloyd iterations. Defaults to 20.
        seed (int): seed of faiss' random initialisation. Defaults to 0.
        init_centroids (np.ndarray, optional): ``(k, D)`` initial centroids;
            replaces the random initialisation. Defaults to None.
        max_points_per_centroid (int, optional): faiss subsamples the data to
            this many points per centroid for training; None uses all points
            (as DeepCluster does). Defaults to None.
        use_gpu (bool): use faiss' GPU index (needs faiss-gpu).
            Defaults to False.
        verbose (bool): faiss progress output. Defaults to False.

    Returns:
        KMeansResult: labels ``(N,)`` int64, centroids ``(k, D)`` and the
        final objective.
    """
    features = _as_features(features)
    n, d = features.shape
    if k < 1:
        raise ValueError(f'k must be >= 1, got {k}.')
    if k > n:
        raise ValueError(
            f'Cannot make {k} clusters from {n} samples: the number of '
            f'clusters must not exceed the number of samples. Lower the '
            f'number of clusters (`num_clusters` / head `num_classes`) or '
            f'use a larger dataset.')
    faiss = import_faiss()
    km = faiss.Kmeans(
        d, k, niter=num_iters, seed=int(seed), verbose=verbose, gpu=use_gpu,
        max_points_per_centroid=max_points_per_centroid or max(n, 1) + 1,
        min_points_per_centroid=1)
    if init_centroids is not None:
        init_centroids = np.ascontiguousarray(init_centroids, np.float32)
        if init_centroids.shape != (k, d):
            raise ValueError(f'init_centroids has shape {init_centroids.shape}'
                             f', expected ({k}, {d}).')
    km.train(features, init_centroids=init_centroids)
    dist, labels = km.index.search(features, 1)
    return KMeansResult(
        labels=labels[:, 0].astype(np.int64),
        centroids=km.centroids.astype(np.float32),
        objective=float(dist[:, 0].astype(np.float64).sum()))


def normalized_mutual_info(labels_a: np.ndarray,
                           labels_b: np.ndarray) -> float:
    """NMI of two labelings: scikit-learn's ``normalized_mutual_info_score``
    (arithmetic-mean normalisation), after checking the inputs.

    Args:
        labels_a (np.ndarray): ``(N,)`` integer labels.
        labels_b (np.ndarray): ``(N,)`` integer labels.

    Returns:
        float: NMI in ``[0, 1]``; 1.0 when both labelings are a single
        cluster.
    """
    from sklearn.metrics import normalized_mutual_info_score
    a = np.asarray(labels_a).ravel()
    b = np.asarray(labels_b).ravel()
    if a.shape != b.shape:
        raise ValueError(f'labelings have different lengths: {a.shape[0]} vs '
                         f'{b.shape[0]}.')
    if a.size == 0:
        raise ValueError('NMI of empty labelings is undefined.')
    return float(normalized_mutual_info_score(a, b))


def cluster_stats(labels: np.ndarray, num_clusters: int) -> Dict[str, float]:
    """Size statistics of a clustering.

    Args:
        labels (np.ndarray): ``(N,)`` cluster index per sample.
        num_clusters (int): number of clusters K.

    Returns:
        dict: ``min_size``, ``median_size``, ``max_size`` (over all K
        clusters, empty ones included) and ``num_empty``.
    """
    labels = np.asarray(labels).ravel()
    if labels.size and (labels.min() < 0 or labels.max() >= num_clusters):
        raise ValueError(f'labels must lie in 0..{num_clusters - 1}, found '
                         f'{labels.min()}..{labels.max()}.')
    sizes = np.bincount(labels, minlength=num_clusters)
    return dict(
        min_size=int(sizes.min()),
        median_size=float(np.median(sizes)),
        max_size=int(sizes.max()),
        num_empty=int((sizes == 0).sum()))
