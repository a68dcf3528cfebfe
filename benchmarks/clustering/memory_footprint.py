"""Bytes of ODC's banks and DeepCluster's feature matrix at ImageNet scale.

    python benchmarks/clustering/memory_footprint.py [--num-samples N]
"""
import argparse

from mmssl_ext.models.memories.odc_memory import odc_memory_bytes


def human(b: int) -> str:
    for unit in ('B', 'KiB', 'MiB', 'GiB'):
        if b < 1024 or unit == 'GiB':
            return f'{b:.2f} {unit}' if unit != 'B' else f'{b} B'
        b /= 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--num-samples', type=int, default=1281167)
    parser.add_argument('--odc-feat-dim', type=int, default=256)
    parser.add_argument('--odc-clusters', type=int, default=10000)
    parser.add_argument('--dc-feat-dim', type=int, default=2048)
    parser.add_argument('--dc-pca-dim', type=int, default=256)
    args = parser.parse_args()
    n = args.num_samples
    odc = odc_memory_bytes(n, args.odc_feat_dim, args.odc_clusters)
    rows = [
        ('ODC feature bank (float32, every rank)', odc['feature_bank']),
        ('ODC label bank (int64)', odc['label_bank']),
        ('ODC centroids (float32)', odc['centroids']),
        ('ODC memory total (in each checkpoint too)', odc['total']),
        (f'DeepCluster features {args.dc_feat_dim}-d (float32, rank 0)',
         n * args.dc_feat_dim * 4),
        (f'DeepCluster PCA-{args.dc_pca_dim} features (float32, rank 0)',
         n * args.dc_pca_dim * 4),
        ('DeepCluster labels (int64, every rank + checkpoint)', n * 8),
    ]
    print(f'{n} samples')
    for name, b in rows:
        print(f'{name:58s}{b:>16,d} B  {human(b):>10s}')


if __name__ == '__main__':
    main()
