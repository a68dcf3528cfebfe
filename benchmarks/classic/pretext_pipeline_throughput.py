"""Data-pipeline throughput of RelativeLoc / RotationPred vs a plain
single-view pipeline (images/s through ``dataset[i]``, one process).

Pipelines come from the repo configs; ``--size fmnist`` uses the
Fashion-MNIST siblings (32 px; RelativeLoc upscales to 96 px) on a
CustomDataset folder, ``--size in1k`` the full ImageNet recipes on
synthetic JPEGs (``--synthetic N`` images of ``--image-shape``) so that no
ImageNet copy is needed. The plain pipeline is load + RandomResizedCrop +
flip + pack: the RotationPred pipeline without RotationViews.

    python benchmarks/classic/pretext_pipeline_throughput.py --size fmnist \
        --data-root data/fashion_mnist --num 600
    python benchmarks/classic/pretext_pipeline_throughput.py --size in1k \
        --synthetic 64 --num 200
"""
import argparse
import os
import os.path as osp
import shutil
import statistics
import tempfile
import time

import numpy as np
from mmengine.config import Config
from mmpretrain.registry import DATASETS

import mmssl_ext  # noqa: F401

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIGS = {
    'fmnist': dict(
        RelativeLoc='configs/relative_loc/relative-loc_resnet18-cifar-w16_'
        '1xb32-steplr-2e_fashion-mnist-96px.py',
        RotationPred='configs/rotation_pred/rotation-pred_resnet18-cifar-'
        'w16_1xb64-steplr-2e_fashion-mnist.py',
    ),
    'in1k': dict(
        RelativeLoc='configs/relative_loc/relative-loc_resnet50_8xb64-'
        'steplr-70e_in1k.py',
        RotationPred='configs/rotation_pred/rotation-pred_resnet50_8xb16-'
        'steplr-70e_in1k.py',
    ),
}


def make_synthetic(folder: str, num: int, shape) -> None:
    import cv2
    rng = np.random.default_rng(0)
    os.makedirs(folder, exist_ok=True)
    for i in range(num):
        img = rng.integers(0, 255, (*shape, 3), dtype=np.uint8)
        img = cv2.GaussianBlur(img, (9, 9), 3)  # JPEG-like content
        cv2.imwrite(osp.join(folder, f'{i:05d}.jpg'), img)


def throughput(pipeline, data_root: str, prefix: str, num: int,
               repeats: int) -> float:
    dataset = DATASETS.build(dict(
        type='CustomDataset', data_root=data_root, data_prefix=prefix,
        with_label=False, pipeline=pipeline))
    n = len(dataset)
    for i in range(min(10, n)):  # warm-up (file cache, lazy init)
        dataset[i]
    rates = []
    for _ in range(repeats):
        start = time.perf_counter()
        for i in range(num):
            dataset[i % n]
        rates.append(num / (time.perf_counter() - start))
    return statistics.median(rates)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--size', choices=list(CONFIGS), default='fmnist')
    parser.add_argument('--data-root', default=None,
                        help='CustomDataset folder (fmnist: data root with '
                        'train/)')
    parser.add_argument('--synthetic', type=int, default=0,
                        help='generate N synthetic JPEGs instead')
    parser.add_argument('--image-shape', type=int, nargs=2,
                        default=[375, 500])
    parser.add_argument('--num', type=int, default=500)
    parser.add_argument('--repeats', type=int, default=3)
    args = parser.parse_args()

    spec = CONFIGS[args.size]
    tmp = None
    if args.synthetic:
        tmp = tempfile.mkdtemp()
        make_synthetic(osp.join(tmp, 'images'), args.synthetic,
                       args.image_shape)
        data_root, prefix = tmp, 'images'
    elif args.data_root:
        data_root = args.data_root
        prefix = 'train' if osp.isdir(osp.join(data_root, 'train')) else ''
    else:
        raise SystemExit('give --data-root or --synthetic N')

    # plain = the RotationPred pipeline without RotationViews: same
    # decode, crop backend and output size, one view.
    rot_cfg = Config.fromfile(osp.join(REPO, spec['RotationPred']))
    plain = [t for t in rot_cfg.train_pipeline
             if t['type'] not in ('RotationViews', 'PackInputs')]
    plain.append(dict(type='PackInputs'))
    rate_plain = throughput(plain, data_root, prefix, args.num, args.repeats)
    print(f'size={args.size} images={data_root} num={args.num} '
          f'(median of {args.repeats})')
    print(f'{"plain single view":<18}: {rate_plain:8.1f} images/s  1.00x')
    for name in ('RotationPred', 'RelativeLoc'):
        cfg = Config.fromfile(osp.join(REPO, spec[name]))
        rate = throughput(cfg.train_pipeline, data_root, prefix, args.num,
                          args.repeats)
        print(f'{name:<18}: {rate:8.1f} images/s  {rate / rate_plain:.2f}x')
    if tmp:
        shutil.rmtree(tmp)


if __name__ == '__main__':
    main()
