"""Transfer results table on the synthetic Fashion-MNIST sets (CPU budget).

For each pretrained backbone (ResNet-18, ImageNet stem, base width 16: the
backbone of the CPU-sized transfer configs) this fine-tunes

- ``seg``: FCN-D8 on the semantic-segmentation set
  (``configs/benchmarks/mmsegmentation/fashion-mnist/``), reporting mIoU;
- ``det``: Mask R-CNN FPN on the instance set
  (``configs/benchmarks/mmdetection/fashion-mnist/``), reporting box and
  mask mAP;

through the same path a user takes: ``extract_backbone_weights.py`` and then
``benchmarks/{mmsegmentation,mmdetection}/mim_dist_train.sh CONFIG PRETRAIN 0``
(pre-flight check included). ``NAME=none`` trains from random initialisation
(plain ``mim train``, the configs alone initialise nothing). The schedule is
cut to ``--iters`` iterations (its decay points scaled to that length).

    python tools/dataset_converters/make_fashion_mnist_coco.py data/fashion_mnist_coco
    python tools/dataset_converters/make_fashion_mnist_seg.py data/fashion_mnist_seg
    python benchmarks/transfer_fashion_mnist_table.py \\
        --model random=none --model SimCLR=work_dirs/simclr56/iter_300.pth \\
        --model supervised=work_dirs/sup56/iter_300.pth \\
        --tasks seg --iters 500 --work-dir work_dirs/transfer_table

Needs mmcv with compiled ops (``make mmcv-full``) and the ``transfer`` extra.
Results go to ``WORK_DIR/<name>/<task>/``; finished steps are not re-run,
and one made with another checkpoint or ``--iters`` stops the script (use
another ``--work-dir``) instead of entering the table.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from run_utils import (cached_step, last_val_metrics,  # noqa: E402
                       run_logged, run_table)

REPO = osp.abspath(osp.join(osp.dirname(__file__), '..'))
TASKS = {
    'seg': dict(
        codebase='mmseg',
        launcher='benchmarks/mmsegmentation/mim_dist_train.sh',
        config='configs/benchmarks/mmsegmentation/fashion-mnist/'
        'fcn_r18-tiny-d8_fashion-mnist-seg.py',
        metrics={'mIoU': 'mIoU'}),
    'det': dict(
        codebase='mmdet',
        launcher='benchmarks/mmdetection/mim_dist_train.sh',
        config='configs/benchmarks/mmdetection/fashion-mnist/'
        'mask-rcnn_r18-tiny-fpn_fashion-mnist-coco.py',
        metrics={'box mAP': 'coco/bbox_mAP', 'mask mAP': 'coco/segm_mAP'}),
}


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--model', action='append', required=True,
                   metavar='NAME=CKPT', help='pretraining checkpoint, or '
                   'NAME=none for random initialisation (repeatable)')
    p.add_argument('--tasks', nargs='+', default=['seg', 'det'],
                   choices=sorted(TASKS))
    p.add_argument('--iters', type=int, default=500,
                   help='training iterations (the configs: 2000)')
    p.add_argument('--seed', type=int, default=None,
                   help='randomness.seed of the fine-tuning runs (heads\' '
                   'and random-init backbones\' init, data order); the '
                   'configs set none, so every run draws its own')
    p.add_argument('--work-dir', default='work_dirs/transfer_table')
    return p.parse_args(argv)


def schedule_options(task, iters, seed=None):
    """--cfg-options cutting the config's schedule to ``iters`` (and
    fixing ``randomness.seed`` when ``seed`` is given)."""
    opts = [] if seed is None else [f'randomness.seed={seed}']
    opts += [f'train_cfg.max_iters={iters}', f'train_cfg.val_interval={iters}',
            f'default_hooks.checkpoint.interval={iters}']
    if task == 'seg':  # PolyLR over the whole run
        opts.append(f'param_scheduler.0.end={iters}')
    else:  # warm-up, then x0.1 at 75 % and 90 % (1500/1800 of 2000)
        opts += [f'param_scheduler.1.end={iters}',
                 f'param_scheduler.1.milestones=[{int(iters * 0.75)},'
                 f'{int(iters * 0.9)}]']
    return opts


def finetune(name, ckpt, task, args):
    out_dir = osp.abspath(osp.join(args.work_dir, name, task))
    # A result saved before --seed existed reads as seed=None (no seed).
    return cached_step(
        out_dir, dict(checkpoint=ckpt, iters=args.iters, seed=args.seed),
        lambda: run_finetune(ckpt, task, args.iters, args.seed, out_dir))


def run_finetune(ckpt, task, iters, seed, out_dir):
    spec = TASKS[task]
    opts = schedule_options(task, iters, seed)
    if ckpt:
        backbone = osp.join(osp.dirname(out_dir), 'backbone.pth')
        if not osp.isfile(backbone):
            run_logged([sys.executable,
                        'tools/model_converters/extract_backbone_weights.py',
                        ckpt, backbone],
                       osp.join(osp.dirname(out_dir), 'extract_log.txt'),
                       REPO)
        cmd = ['bash', spec['launcher'], spec['config'], backbone, '0',
               '--cfg-options'] + opts
    else:
        cmd = ['mim', 'train', spec['codebase'], spec['config'],
               '--work-dir', out_dir, '--cfg-options'] + opts
    secs = run_logged(cmd, osp.join(out_dir, 'log.txt'), REPO,
                      env=dict(WORK_DIR=out_dir))
    metrics = last_val_metrics(out_dir)
    result = {col: 100.0 * metrics[key] if task == 'det' else metrics[key]
              for col, key in spec['metrics'].items()}
    return dict(result, seconds=secs)


def table(results, tasks):
    cols = [(col, t) for t in tasks for col in TASKS[t]['metrics']]
    lines = ['| init | ' + ' | '.join(c for c, _ in cols) + ' |',
             '| --- |' + ' ---: |' * len(cols)]
    for name, res in results.items():
        lines.append(f'| {name} | ' + ' | '.join(
            f'{res[t][c]:.2f}' for c, t in cols) + ' |')
    return '\n'.join(lines)


def main(argv=None):
    args = parse_args(argv)
    return run_table(args, args.tasks, finetune, table)


if __name__ == '__main__':
    main()
