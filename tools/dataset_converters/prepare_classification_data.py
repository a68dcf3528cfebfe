"""Write Fashion-MNIST or sklearn digits in both CustomDataset formats.

Examples::

    # Fashion-MNIST from the Debian package dataset-fashion-mnist
    python tools/dataset_converters/prepare_classification_data.py \
        fashion-mnist data/fashion_mnist
    # IDX files somewhere else, only the first 2000/500 images
    python tools/dataset_converters/prepare_classification_data.py \
        fashion-mnist data/fmnist_small --source ~/idx --limit-train 2000 \
        --limit-test 500
    # sklearn digits (8x8, shipped with scikit-learn)
    python tools/dataset_converters/prepare_classification_data.py \
        digits data/digits

Layout written under OUT::

    train/<k>_<class>/<index>.png   test/<k>_<class>/<index>.png
    meta/train.txt  meta/test.txt   (path label)
    meta/unlabeled.txt              (path; the train images)
    meta/classes.txt
"""
import argparse
import json
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from dataset_sources import (DIGITS_CLASSES,  # noqa: E402
                             FASHION_MNIST_CLASSES, load_digits_splits,
                             load_fashion_mnist, write_classification_dataset)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('dataset', choices=['fashion-mnist', 'digits'])
    parser.add_argument('out', help='output folder')
    parser.add_argument('--source', help='folder with the Fashion-MNIST IDX '
                        'files (default: the Debian package location)')
    parser.add_argument('--limit-train', type=int, default=None)
    parser.add_argument('--limit-test', type=int, default=None)
    parser.add_argument('--force', action='store_true',
                        help='rewrite even if OUT already holds this dataset')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.dataset == 'fashion-mnist':
        splits, classes = load_fashion_mnist(args.source), FASHION_MNIST_CLASSES
    else:
        if args.source:
            sys.exit('--source applies to fashion-mnist only; digits come '
                     'from scikit-learn.')
        splits, classes = load_digits_splits(), DIGITS_CLASSES
    limits = {'train': args.limit_train, 'test': args.limit_test}
    stamp_path = osp.join(args.out, 'meta', 'prepared.json')
    stamp = dict(dataset=args.dataset, limits=limits,
                 sizes={k: len(v[1]) for k, v in splits.items()})
    if not args.force and osp.isfile(stamp_path):
        with open(stamp_path) as f:
            if json.load(f) == stamp:
                print(f'{args.out} already holds {args.dataset} {limits}; '
                      f'nothing to do (--force rewrites).')
                return 0
    counts = write_classification_dataset(args.out, splits, classes, limits)
    with open(stamp_path, 'w') as f:
        json.dump(stamp, f)
    print(f'Wrote {args.dataset} to {args.out}: {counts}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
