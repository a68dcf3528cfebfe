"""Time the VOC07-protocol SVM cost sweep on Fashion-MNIST-sized features.

Features: a fixed random projection of Fashion-MNIST pixels to ``--dim``
(standing in for pooled feat5 features; ``--source random`` uses Gaussian
class clusters when the dataset is absent), labels one-hot as a 10-class
multi-label problem. For each run: 3-fold cross-validated LinearSVC per
class for every cost (the protocol), then the test AP. Reports the median
of ``--repeats`` timed runs after one warm-up, per-fit cost, and the speed-up
of ``--n-jobs`` parallel classes over 1 job.

Full size is 60,000 x 10,000 x 512; reduced runs (here):

    python benchmarks/classification/svm_voc07/bench_svm.py \
        --n-train 6000 --n-test 1000 --dim 512 --costs 0.01 0.1 1 10
"""
import argparse
import os.path as osp
import statistics
import sys
import time

import numpy as np

from mmssl_ext.evaluation.functional import evaluate_svms, train_svms_crossval
from mmssl_ext.evaluation.functional.svm_voc07 import DEFAULT_COSTS


def make_features(source, n_train, n_test, dim, seed=0):
    rng = np.random.default_rng(seed)
    if source == 'fashion-mnist':
        sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)),
                                    '..', '..', '..', 'tools',
                                    'dataset_converters'))
        from dataset_sources import load_fashion_mnist
        splits = load_fashion_mnist()
        (x_tr, y_tr), (x_te, y_te) = splits['train'], splits['test']
        x_tr, y_tr = x_tr[:n_train], y_tr[:n_train]
        x_te, y_te = x_te[:n_test], y_te[:n_test]
        proj = rng.normal(size=(28 * 28, dim)).astype(np.float32)
        x_tr = np.maximum(x_tr.reshape(len(x_tr), -1) / 255. @ proj, 0)
        x_te = np.maximum(x_te.reshape(len(x_te), -1) / 255. @ proj, 0)
    else:
        centers = rng.normal(size=(10, dim))
        y_tr = rng.integers(0, 10, n_train)
        y_te = rng.integers(0, 10, n_test)
        x_tr = centers[y_tr] + 2 * rng.normal(size=(n_train, dim))
        x_te = centers[y_te] + 2 * rng.normal(size=(n_test, dim))
    t_tr = np.eye(10, dtype=np.int32)[y_tr]
    t_te = np.eye(10, dtype=np.int32)[y_te]
    return (x_tr.astype(np.float32), t_tr, x_te.astype(np.float32), t_te)


def timed(fn, repeats):
    fn()  # warm-up
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--source', choices=['fashion-mnist', 'random'],
                   default='fashion-mnist')
    p.add_argument('--n-train', type=int, default=60000)
    p.add_argument('--n-test', type=int, default=10000)
    p.add_argument('--dim', type=int, default=512)
    p.add_argument('--costs', type=float, nargs='+',
                   default=list(DEFAULT_COSTS),
                   help="default: the protocol's 19 costs (1, 10, 100, "
                   '2^-4 ... 2^-19)')
    p.add_argument('--n-jobs', type=int, default=2)
    p.add_argument('--repeats', type=int, default=3)
    args = p.parse_args(argv)
    try:
        data = make_features(args.source, args.n_train, args.n_test, args.dim)
    except FileNotFoundError as exc:
        print(f'{exc}\nfalling back to --source random')
        data = make_features('random', args.n_train, args.n_test, args.dim)
    x_tr, t_tr, x_te, t_te = data
    n_fits = t_tr.shape[1] * len(args.costs) * 4  # 3 CV folds + final fit
    print(f'SVM cost sweep: {len(x_tr)} train x {len(x_te)} test x '
          f'{x_tr.shape[1]}-d, {t_tr.shape[1]} classes, '
          f'{len(args.costs)} costs, 3-fold CV ({n_fits} LinearSVC fits '
          f'on 2/3 or all of the data)')
    rows = []
    for jobs in sorted({1, args.n_jobs}):
        def run():
            model = train_svms_crossval(x_tr, t_tr, args.costs, n_jobs=jobs)
            return model, evaluate_svms(model, x_te, t_te)[1]
        sec, (model, mAP) = timed(run, args.repeats)
        rows.append((jobs, sec, mAP))
    base = rows[0][1]
    print(f'{"n_jobs":>6}{"median_s":>10}{"ms/fit":>9}{"speedup":>9}'
          f'{"test mAP":>10}')
    for jobs, sec, mAP in rows:
        print(f'{jobs:>6}{sec:>10.2f}{1000 * sec / n_fits:>9.1f}'
              f'{base / sec:>9.2f}{mAP:>10.2f}')
    t0 = time.perf_counter()
    x_tr @ x_tr[:1024].T
    gemm = time.perf_counter() - t0
    print(f'(reference: one {len(x_tr)}x{x_tr.shape[1]} @ '
          f'{x_tr.shape[1]}x1024 matmul: {gemm * 1000:.1f} ms)')
    return rows


if __name__ == '__main__':
    main()
