"""The Fashion-MNIST results table of the evaluation suite.

Runs every classification benchmark of the suite on one or more backbones of
the demo's architecture (narrow CIFAR-stem ResNet-18 at 32 px) and prints a
markdown table:

- kNN (k=20, T=0.07; 10k train images as memory, 10k test images),
- avgpool linear (frozen backbone, BN without affine + linear, 2 epochs;
  see the config for why the BN),
- feat1-feat5 multi-head linear (frozen backbone, 2 epochs),
- semi-supervised fine-tuning on 1 % and 10 % per-class subsets
  (lr 0.01, head lr x10; ~400 iterations each),
- SVM and low-shot SVM on feat5 (reduced as stated in ``--help``).

Each step is the suite's own tool or config, started as a subprocess exactly
as a user would (``mim train mmpretrain ...``, ``test_knn.py``,
``svm_voc07.py``); results go to ``WORK_DIR/<name>/<step>/`` and a step whose
result is already there is not run again (delete it to redo); one made
from another checkpoint stops the script instead of entering the table.

    python benchmarks/classification/fashion_mnist_table.py \\
        --model random=none \\
        --model SimCLR=work_dirs/demo/iter_300.pth \\
        --model supervised=work_dirs/sup/iter_300.pth \\
        --work-dir work_dirs/fmnist_table

``none`` means random initialisation (seed 0, the configs' seed).
"""
import argparse
import json
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
from run_utils import (cached_step, last_val_metrics,  # noqa: E402
                       run_logged, run_table)

REPO = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))
BENCH = 'configs/benchmarks/classification/fashion_mnist/'
PRETRAIN_CFG = ('configs/simclr/'
                'simclr_resnet18-cifar-w16_1xb256-adamw-coslr-300i_'
                'fashion-mnist.py')
KNN_DATA = 'configs/_base_/datasets/fashion-mnist_knn.py'
TRAIN_CONFIGS = {
    'linear': BENCH + 'resnet18-cifar-w16_linear_1xb64-steplr-2e_'
    'fashion-mnist.py',
    'mhead': BENCH + 'resnet18-cifar-w16_mhead_1xb64-steplr-2e_'
    'fashion-mnist.py',
    'semi1': BENCH + 'resnet18-cifar-w16_head10_1xb64-steplr1e-2-40e_'
    'fashion-mnist-1pct.py',
    'semi10': BENCH + 'resnet18-cifar-w16_head10_1xb64-steplr1e-2-4e_'
    'fashion-mnist-10pct.py',
}
SUBSETS = {'semi1': ('meta/train_1pct.txt', '0.01'),
           'semi10': ('meta/train_10pct.txt', '0.1')}
STEPS = ('knn', 'linear', 'mhead', 'semi1', 'semi10', 'svm')
# SVM reduction: 2,000 training images (seeded subsample), feat5 pooled to
# 3x3 (1152-d) with adaptive pooling (MMSelfSup's fixed kernels are for
# 224 px maps), 4 costs; the whole 10k test split.
SVM_ARGS = ['--features', 'feat5', '--img-size', '32', '--pool-type',
            'adaptive', '--pool-sizes', '8',
            '8', '6', '4', '3', '--max-train', '2000', '--costs', '0.01',
            '0.1', '1', '10', '--low-shot', '--low-shot-ks', '1', '4', '16',
            '64', '--low-shot-samples', '5']


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--model', action='append', required=True,
                   metavar='NAME=CKPT',
                   help='a backbone to evaluate: NAME=path/to/ckpt.pth, or '
                   'NAME=none for random initialisation (repeatable)')
    p.add_argument('--work-dir', default='work_dirs/fmnist_table')
    p.add_argument('--steps', nargs='+', default=list(STEPS), choices=STEPS)
    p.add_argument('--data-root', default='data/fashion_mnist',
                   help='prepared by tools/dataset_converters/'
                   'prepare_classification_data.py')
    return p.parse_args(argv)


def step_knn(ckpt, out_dir):
    cmd = [sys.executable, 'benchmarks/classification/knn/test_knn.py',
           PRETRAIN_CFG, '--knn-data', KNN_DATA, '--out',
           osp.join(out_dir, 'knn.json')]
    cmd += ['--checkpoint', ckpt] if ckpt else ['--random-init']
    secs = run_logged(cmd, osp.join(out_dir, 'log.txt'), REPO)
    res = json.load(open(osp.join(out_dir, 'knn.json')))['results']
    (entry, ) = res.values()
    return dict(top1=entry['k20_top1'], seconds=secs)


def step_train(step, ckpt, out_dir, data_root):
    if step in SUBSETS:
        ann, fraction = SUBSETS[step]
        if not osp.isfile(osp.join(REPO, data_root, ann)):
            run_logged([sys.executable,
                 'tools/dataset_converters/make_semi_supervised_subset.py',
                 'per-class', '--ann-file', osp.join(data_root,
                                                     'meta/train.txt'),
                 '--fraction', fraction, '--out', osp.join(data_root, ann)],
                osp.join(out_dir, 'subset_log.txt'), REPO)
    if ckpt:
        init = [f'model.backbone.init_cfg.checkpoint={ckpt}',
                'model.backbone.init_cfg.prefix=backbone.']
    else:
        init = ['model.backbone.init_cfg=None']
    cmd = ['mim', 'train', 'mmpretrain', TRAIN_CONFIGS[step], '--work-dir',
           out_dir, '--cfg-options'] + init
    secs = run_logged(cmd, osp.join(out_dir, 'log.txt'), REPO)
    metrics = last_val_metrics(out_dir)
    if step == 'mhead':
        top1 = {k.rsplit('/', 1)[-1].split('_')[0]: v
                for k, v in metrics.items()
                if k.endswith('_top1')}
        return dict(top1=top1, seconds=secs)
    return dict(top1=metrics['accuracy/top1'], seconds=secs)


def step_svm(ckpt, out_dir, data_root):
    cmd = [sys.executable, 'benchmarks/classification/svm_voc07/svm_voc07.py',
           PRETRAIN_CFG, '--train-ann', osp.join(data_root, 'meta/train.txt'),
           '--test-ann', osp.join(data_root, 'meta/test.txt'),
           '--data-root', data_root, '--num-classes', '10', '--work-dir',
           out_dir] + SVM_ARGS
    if ckpt:
        cmd += ['--checkpoint', ckpt]
    secs = run_logged(cmd, osp.join(out_dir, 'log.txt'), REPO)
    res = json.load(open(osp.join(out_dir, 'svm_voc07_results.json')))
    feat5 = res['features']['feat5']
    return dict(mAP=feat5['mAP'],
                low_shot={str(r['k']): r['mean'] for r in feat5['low_shot']},
                seconds=secs)


def evaluate(name, ckpt, step, args):
    out_dir = osp.join(args.work_dir, name, step)

    def compute():
        if step == 'knn':
            return step_knn(ckpt, out_dir)
        if step == 'svm':
            return step_svm(ckpt, out_dir, args.data_root)
        return step_train(step, ckpt, out_dir, args.data_root)

    return cached_step(out_dir, dict(checkpoint=ckpt), compute)


def fmt(value):
    return '-' if value is None else f'{value:.2f}'


def table(results, steps):
    heads = [('kNN', 'knn'), ('linear', 'linear')]
    heads += [(f'mhead feat{i}', 'mhead') for i in range(1, 6)]
    heads += [('semi 1 %', 'semi1'), ('semi 10 %', 'semi10'),
              ('SVM mAP', 'svm')]
    heads += [(f'low-shot k={k}', 'svm') for k in (1, 4, 16, 64)]
    heads = [h for h in heads if h[1] in steps]
    lines = ['| backbone | ' + ' | '.join(h for h, _ in heads) + ' |',
             '| --- |' + ' ---: |' * len(heads)]
    for name, res in results.items():
        cells = []
        for head, step in heads:
            r = res.get(step)
            if r is None:
                cells.append('-')
            elif head.startswith('mhead'):
                cells.append(fmt(r['top1'].get(head.split()[1])))
            elif head.startswith('low-shot'):
                cells.append(fmt(r['low_shot'].get(head.split('=')[1])))
            elif step == 'svm':
                cells.append(fmt(r['mAP']))
            else:
                cells.append(fmt(r['top1']))
        lines.append(f'| {name} | ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)


def main(argv=None):
    args = parse_args(argv)
    return run_table(args, args.steps, evaluate, table)


if __name__ == '__main__':
    main()
