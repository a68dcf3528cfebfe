"""k-means: faiss vs scikit-learn, same data, initial centroids and
iteration count.

Full size from the issue (50,000 x 256 -> 1,000 clusters, 20 iterations):
    python benchmarks/clustering/kmeans_faiss_vs_sklearn.py
Reduced size (this machine):
    python benchmarks/clustering/kmeans_faiss_vs_sklearn.py \
        --num-samples 10000 --dim 128 --k 200 --repeats 3

Prints the median wall time of each (after a warm-up run), the time per
Lloyd iteration, the ratios, each final objective (sum of squared distances
to the nearest final centroid, computed the same way for both), and each
library's time per iteration as a multiple of one plain float32 matrix
multiply of the same shape ((N x D) @ (D x K), the assignment step's bulk):
1.0 would mean k-means costs nothing beyond that multiply.
"""
import argparse
import time

import numpy as np


def make_data(n: int, d: int, seed: int = 0) -> np.ndarray:
    """L2-normalised isotropic Gaussian samples, float32 (like whitened
    features: no easy cluster structure, so Lloyd does not converge within
    the iteration budget and both libraries run every iteration)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d)).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return np.ascontiguousarray(x, dtype=np.float32)


def objective(x: np.ndarray, centroids: np.ndarray) -> float:
    """Sum over samples of the squared distance to the nearest centroid."""
    import faiss
    index = faiss.IndexFlatL2(centroids.shape[1])
    index.add(np.ascontiguousarray(centroids, dtype=np.float32))
    dist, _ = index.search(x, 1)
    return float(dist.astype(np.float64).sum())


def run_faiss(x, init, iters):
    """faiss k-means as mmssl_ext.evaluation.functional.kmeans runs it, but
    with faiss' early stopping off so exactly ``iters`` iterations run."""
    import faiss
    km = faiss.Kmeans(x.shape[1], init.shape[0], niter=iters,
                      max_points_per_centroid=len(x) + 1,
                      min_points_per_centroid=1)
    if hasattr(km.cp, 'early_stop_threshold'):
        km.cp.early_stop_threshold = -1.0
    km.train(x, init_centroids=init)
    return km.centroids, len(km.iteration_stats)


def run_sklearn(x, init, iters):
    from sklearn.cluster import KMeans
    km = KMeans(n_clusters=init.shape[0], init=init, n_init=1,
                max_iter=iters, tol=0.0, algorithm='lloyd')
    km.fit(x)
    return km.cluster_centers_.astype(np.float32), int(km.n_iter_)


def matmul(x, centroids):
    """The assignment step's bulk: all sample-centroid dot products."""
    return x @ centroids.T


def timed(fn, *args, warmup=1, repeats=3):
    for _ in range(warmup):
        out = fn(*args)
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn(*args)
        times.append(time.perf_counter() - t)
    return float(np.median(times)), out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--num-samples', type=int, default=50000)
    parser.add_argument('--dim', type=int, default=256)
    parser.add_argument('--k', type=int, default=1000)
    parser.add_argument('--iters', type=int, default=20)
    parser.add_argument('--warmup', type=int, default=1)
    parser.add_argument('--repeats', type=int, default=3)
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args()

    x = make_data(args.num_samples, args.dim, args.seed)
    rng = np.random.default_rng(args.seed + 1)
    init = x[rng.choice(len(x), args.k, replace=False)].copy()
    print(f'k-means of {args.num_samples} x {args.dim} into {args.k} '
          f'clusters, {args.iters} Lloyd iterations, same initial centroids; '
          f'median of {args.repeats} after {args.warmup} warm-up')
    t_faiss, (c_faiss, n_faiss) = timed(
        run_faiss, x, init, args.iters, warmup=args.warmup,
        repeats=args.repeats)
    t_sk, (c_sk, n_sk) = timed(
        run_sklearn, x, init, args.iters, warmup=args.warmup,
        repeats=args.repeats)
    t_mm, _ = timed(matmul, x, init, warmup=args.warmup,
                    repeats=max(args.repeats, 5))
    o_faiss, o_sk = objective(x, c_faiss), objective(x, c_sk)
    per_faiss, per_sk = t_faiss / max(n_faiss, 1), t_sk / max(n_sk, 1)
    gflops = 2 * args.num_samples * args.dim * args.k / t_mm / 1e9
    print(f'{"":14s}{"time (s)":>10s}{"iterations":>12s}{"s / iter":>10s}'
          f'{"x matmul":>10s}{"objective":>16s}')
    for name, t, n, per, o in (('faiss', t_faiss, n_faiss, per_faiss,
                                o_faiss),
                               ('scikit-learn', t_sk, n_sk, per_sk, o_sk)):
        print(f'{name:14s}{t:10.3f}{n:12d}{per:10.4f}{per / t_mm:10.2f}'
              f'{o:16.3f}')
    print(f'one ({args.num_samples} x {args.dim}) @ ({args.dim} x {args.k}) '
          f'float32 matmul: {t_mm:.4f} s ({gflops:.1f} GFLOP/s)')
    print(f'time ratio sklearn / faiss: {t_sk / t_faiss:.2f}x in total, '
          f'{per_sk / per_faiss:.2f}x per iteration; objective ratio '
          f'faiss / sklearn: {o_faiss / o_sk:.5f}')


if __name__ == '__main__':
    main()
