"""Speed of the chunked weighted kNN vs a plain matrix multiply.

Times ``knn_classify`` (normalisation, blocked similarities, running top-k,
weighted votes) for N train x M test x D features and, in the same run, a
single ``test @ train.T`` of the same shape; prints GFLOP/s of both
(counting 2*M*N*D flops for each) and the ratio. Warm-up, then the median of
``--repeats`` runs.

    python benchmarks/classification/knn/bench_knn.py            # 60000 x 10000 x 512
    python benchmarks/classification/knn/bench_knn.py --num-train 20000 --num-test 2000
"""
import argparse
import statistics
import sys
import time

import torch

from mmssl_ext.evaluation.functional import knn_classify


def timed(fn, repeats):
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--num-train', type=int, default=60000)
    parser.add_argument('--num-test', type=int, default=10000)
    parser.add_argument('--dim', type=int, default=512)
    parser.add_argument('--k', type=int, default=20)
    parser.add_argument('--repeats', type=int, default=3)
    parser.add_argument('--query-chunk', type=int, default=1024)
    parser.add_argument('--train-chunk', type=int, default=65536)
    args = parser.parse_args(argv)
    g = torch.Generator().manual_seed(0)
    train = torch.randn(args.num_train, args.dim, generator=g)
    labels = torch.randint(0, 10, (args.num_train, ), generator=g)
    test = torch.randn(args.num_test, args.dim, generator=g)
    flops = 2.0 * args.num_train * args.num_test * args.dim

    t_mm = timed(lambda: test @ train.T, args.repeats)
    t_knn = timed(lambda: knn_classify(train, labels, test, ks=[args.k],
                                       num_classes=10,
                                       query_chunk=args.query_chunk,
                                       train_chunk=args.train_chunk),
                  args.repeats)
    print(f'{args.num_train} train x {args.num_test} test x {args.dim}-d, '
          f'k={args.k}, {torch.get_num_threads()} threads')
    print(f'plain matmul : {t_mm:7.3f} s  {flops / t_mm / 1e9:7.1f} GFLOP/s')
    print(f'weighted kNN : {t_knn:7.3f} s  {flops / t_knn / 1e9:7.1f} GFLOP/s')
    print(f'kNN / matmul throughput: {t_mm / t_knn:.2f}  (goal >= 0.5)')
    return 0


if __name__ == '__main__':
    sys.exit(main())
