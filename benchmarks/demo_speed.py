"""Demo pretraining speed: mmengine Runner (the `mim train mmpretrain` path)
vs a plain PyTorch loop with the same backbone, neck, batch, threads, data
loading and augmentations.

Both sides read the same PNGs with the same per-sample transforms (the demo
config's pipeline, run by a torch DataLoader with the same number of
workers) and train the same SimCLR network (backbone + neck built from the
config; the plain side computes NT-Xent itself and steps AdamW directly).
Each side runs ``--warmup`` iterations, then ``--runs`` windows of
``--iters`` iterations; the figure is the median window's images/s.

    python benchmarks/demo_speed.py                      # demo sizes
    python benchmarks/demo_speed.py --iters 5 --runs 3   # quicker
"""
import argparse
import os.path as osp
import statistics
import sys
import tempfile
import time

import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.dataset import default_collate
from mmengine.hooks import Hook
from mmengine.registry import init_default_scope
from mmengine.runner import Runner

import mmssl_ext  # noqa: F401
from mmpretrain.registry import DATASETS, MODELS

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIG = osp.join(ROOT, 'configs', 'simclr',
                  'simclr_resnet18-cifar-w16_1xb256-adamw-coslr-300i_'
                  'fashion-mnist.py')


class _Timestamps(Hook):
    _mmssl_internal = True

    def __init__(self):
        self.stamps = []

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        self.stamps.append(time.perf_counter())


def window_speeds(stamps, warmup, iters, runs, batch):
    """images/s of each window of ``iters`` iterations after warm-up."""
    speeds = []
    for r in range(runs):
        a = stamps[warmup - 1 + r * iters]
        b = stamps[warmup - 1 + (r + 1) * iters]
        speeds.append(batch * iters / (b - a))
    return speeds


def run_mmengine(cfg, total, hook):
    cfg = cfg.copy()
    cfg.work_dir = tempfile.mkdtemp()
    cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=total)
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=10**9)
    cfg.default_hooks.logger = dict(type='LoggerHook', interval=10**9)
    cfg.log_level = 'WARNING'
    cfg.custom_hooks = []
    runner = Runner.from_cfg(cfg)
    runner.register_hook(hook, priority='LOWEST')
    runner.train()


def nt_xent(z: torch.Tensor, temperature: float) -> torch.Tensor:
    """SimCLR loss of (2N, D) projections ordered [view1 of all, view2]."""
    z = F.normalize(z, dim=1)
    n = z.shape[0] // 2
    sim = z @ z.T / temperature
    sim.fill_diagonal_(float('-inf'))
    target = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)])
    return F.cross_entropy(sim, target)


def run_plain(cfg, total):
    init_default_scope('mmpretrain')
    dl_cfg = cfg.train_dataloader
    dataset = DATASETS.build(dl_cfg.dataset)
    loader = torch.utils.data.DataLoader(
        dataset, batch_size=dl_cfg.batch_size, shuffle=True, drop_last=True,
        num_workers=dl_cfg.num_workers,
        persistent_workers=dl_cfg.num_workers > 0,
        collate_fn=default_collate)
    model = MODELS.build(cfg.model)
    backbone, neck = model.backbone, model.neck
    pre = cfg.data_preprocessor
    mean = torch.tensor(pre.mean).view(1, -1, 1, 1)
    std = torch.tensor(pre.std).view(1, -1, 1, 1)
    params = list(backbone.parameters()) + list(neck.parameters())
    opt = torch.optim.AdamW(params, **{k: v for k, v in
                                       cfg.optim_wrapper.optimizer.items()
                                       if k != 'type'})
    temperature = cfg.model.head.temperature
    backbone.train()
    neck.train()
    stamps = []
    while len(stamps) < total:
        for batch in loader:
            views = [(v.float() - mean) / std for v in batch['inputs']]
            x = torch.cat(views)
            z = neck(backbone(x))[0]
            loss = nt_xent(z, temperature)
            opt.zero_grad()
            loss.backward()
            opt.step()
            stamps.append(time.perf_counter())
            if len(stamps) >= total:
                break
    return stamps


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--config', default=CONFIG)
    parser.add_argument('--data-root', default=None,
                        help='default: the config\'s (data/fashion_mnist/)')
    parser.add_argument('--warmup', type=int, default=3)
    parser.add_argument('--iters', type=int, default=10)
    parser.add_argument('--runs', type=int, default=3)
    parser.add_argument('--batch-size', type=int, default=None)
    parser.add_argument('--threads', type=int, default=None)
    args = parser.parse_args(argv)
    cfg = Config.fromfile(args.config)
    if args.data_root:
        cfg.train_dataloader.dataset.data_root = args.data_root
    if args.batch_size:
        cfg.train_dataloader.batch_size = args.batch_size
    if args.threads:
        torch.set_num_threads(args.threads)
    batch = cfg.train_dataloader.batch_size
    total = args.warmup + args.iters * args.runs
    print(f'batch {batch}, torch threads {torch.get_num_threads()}, '
          f'workers {cfg.train_dataloader.num_workers}, warm-up '
          f'{args.warmup}, {args.runs} x {args.iters} iterations', flush=True)

    hook = _Timestamps()
    run_mmengine(cfg, total, hook)
    ours = window_speeds(hook.stamps, args.warmup, args.iters, args.runs,
                         batch)
    plain = window_speeds(run_plain(cfg, total), args.warmup, args.iters,
                          args.runs, batch)
    ours_med, plain_med = statistics.median(ours), statistics.median(plain)
    print(f'mmengine Runner (mim train path): {ours_med:8.1f} images/s '
          f'(windows: {", ".join(f"{s:.1f}" for s in ours)})')
    print(f'plain PyTorch loop:               {plain_med:8.1f} images/s '
          f'(windows: {", ".join(f"{s:.1f}" for s in plain)})')
    print(f'ratio (Runner / plain): {ours_med / plain_med:.3f}  (goal >= 0.85)')
    return 0


if __name__ == '__main__':
    sys.exit(main())
