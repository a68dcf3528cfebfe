"""The demo: self-supervised pretraining with `mim train mmpretrain`, then kNN.

1. writes Fashion-MNIST (Debian package ``dataset-fashion-mnist``) as a
   CustomDataset; falls back to sklearn digits, and says so, when the package
   is missing;
2. pretrains SimCLR on a narrow ResNet-18 through ``mim train mmpretrain``
   (config ``configs/simclr/...450i_fashion-mnist_batched-aug.py``: batched
   augmentation on the model's device, ``custom_imports = ['mmssl_ext']``);
3. runs weighted kNN (k=20, T=0.07, cosine) for raw pixels, the random
   initialisation (same backbone, same seed) and the pretrained backbone on
   the whole test split, and prints a table with wall time and training
   images/s.

``--smoke`` runs the same path at toy size (<= 2 min) for CI.
Usually started through ``make demo`` / ``make demo-smoke``.
"""
import argparse
import json
import os
import os.path as osp
import shutil
import subprocess
import sys
import time

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIG = osp.join(ROOT, 'configs', 'simclr',
                  'simclr_resnet18-cifar-w16_1xb256-adamw-coslr-450i_'
                  'fashion-mnist_batched-aug.py')
PREPARE = osp.join(ROOT, 'tools', 'dataset_converters',
                   'prepare_classification_data.py')
KNN = osp.join(ROOT, 'benchmarks', 'classification', 'knn', 'test_knn.py')

SMOKE = dict(limit_train=1000, limit_test=300, max_iters=6, batch_size=32,
             knn_train=1000)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--smoke', action='store_true',
                        help='toy-sized run of the same path (CI)')
    parser.add_argument('--work-dir', default=None)
    parser.add_argument('--data-root', default=None)
    parser.add_argument('--config', default=CONFIG)
    return parser.parse_args(argv)


def run(cmd, **kwargs):
    print('+ ' + ' '.join(cmd), flush=True)
    subprocess.run(cmd, check=True, cwd=ROOT, **kwargs)


def prepare_data(args) -> (str, str):
    """Write the dataset; return (data_root, name)."""
    sys.path.insert(0, osp.dirname(PREPARE))
    from dataset_sources import FASHION_MNIST_DEBIAN_DIR
    suffix = '_smoke' if args.smoke else ''
    limits = []
    if args.smoke:
        limits = ['--limit-train', str(SMOKE['limit_train']), '--limit-test',
                  str(SMOKE['limit_test'])]
    if osp.isdir(FASHION_MNIST_DEBIAN_DIR):
        root = args.data_root or osp.join('data', 'fashion_mnist' + suffix)
        run([sys.executable, PREPARE, 'fashion-mnist', root] + limits)
        return root, 'Fashion-MNIST'
    print(f'NOTE: Fashion-MNIST is not installed ({FASHION_MNIST_DEBIAN_DIR} '
          f'missing; `apt-get install dataset-fashion-mnist` as root). Falling '
          f'back to sklearn digits (1,797 8x8 images): the numbers below are '
          f'NOT comparable to the Fashion-MNIST results in the README.',
          flush=True)
    root = args.data_root or osp.join('data', 'digits')
    run([sys.executable, PREPARE, 'digits', root])
    return root, 'sklearn digits (fallback)'


def training_speed(work_dir: str, batch_size: int) -> float:
    """Median training samples/s from mmengine's scalars.json."""
    logs = sorted(
        osp.join(dp, f) for dp, _, fs in os.walk(work_dir) for f in fs
        if f == 'scalars.json')
    if not logs:
        return float('nan')
    times = []
    with open(logs[-1]) as f:
        for line in f:
            entry = json.loads(line)
            if 'time' in entry and 'loss' in entry:
                times.append(entry['time'])
    if len(times) > 1:
        times = times[1:]  # the first interval includes warm-up
    times.sort()
    return batch_size / times[len(times) // 2] if times else float('nan')


def main(argv=None) -> int:
    args = parse_args(argv)
    start = time.perf_counter()
    work_dir = args.work_dir or osp.join(
        'work_dirs', 'demo_smoke' if args.smoke else 'demo')
    data_root, data_name = prepare_data(args)
    data_root = data_root.rstrip('/') + '/'

    from mmengine.config import Config
    cfg = Config.fromfile(args.config)
    batch_size = cfg.train_dataloader.batch_size
    opts = [f'train_dataloader.dataset.data_root={data_root}']
    knn_opts = [f'knn_train_dataloader.dataset.data_root={data_root}',
                f'knn_test_dataloader.dataset.data_root={data_root}']
    if args.smoke:
        batch_size = SMOKE['batch_size']
        opts += [f'train_cfg.max_iters={SMOKE["max_iters"]}',
                 f'train_dataloader.batch_size={batch_size}',
                 'default_hooks.logger.interval=2']
        knn_opts += [
            f'knn_train_dataloader.dataset.indices={SMOKE["knn_train"]}']
    if 'digits' in data_name:
        knn_opts += ['knn_train_dataloader.dataset.indices=None']

    if osp.isdir(work_dir):
        shutil.rmtree(work_dir)
    train_start = time.perf_counter()
    run(['mim', 'train', 'mmpretrain', args.config, '--work-dir', work_dir,
         '--cfg-options'] + opts)
    train_seconds = time.perf_counter() - train_start
    with open(osp.join(work_dir, 'last_checkpoint')) as f:
        checkpoint = f.read().strip()

    results_json = osp.join(work_dir, 'knn_results.json')
    run([sys.executable, KNN, args.config, '--random-init', '--raw-pixels',
         '--checkpoint', checkpoint, '--out', results_json, '--cfg-options']
        + knn_opts)
    with open(results_json) as f:
        knn = json.load(f)

    wall = time.perf_counter() - start
    speed = training_speed(work_dir, batch_size)
    res = knn['results']
    names = list(res)
    top1 = {n: res[n]['k20_top1'] for n in names}
    random_top1 = top1.get('random init')
    lines = [
        '', '=' * 64,
        f'mmssl_ext demo ({"smoke" if args.smoke else "full"}): SimCLR on '
        f'{data_name}',
        f'kNN k=20, T=0.07, cosine; memory: {knn["num_train"]} train images, '
        f'queries: {knn["num_test"]} test images',
        '', f'| {"features":<24} | kNN top-1 (%) | vs random init |',
        f'|{"-" * 26}|---------------|----------------|']
    for n in names:
        label = 'pretrained (SimCLR)' if n not in ('raw pixels',
                                                   'random init') else n
        delta = ('' if random_top1 is None or n == 'random init'
                 else f'{top1[n] - random_top1:+.2f}')
        lines.append(f'| {label:<24} | {top1[n]:>13.2f} | {delta:>14} |')
    lines += ['', f'training: {train_seconds / 60:.1f} min, '
              f'{speed:.0f} images/s (median of logged iterations)',
              f'wall time (data + training + kNN): {wall / 60:.1f} min',
              f'work dir: {work_dir}  checkpoint: {checkpoint}', '=' * 64]
    print('\n'.join(lines), flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
