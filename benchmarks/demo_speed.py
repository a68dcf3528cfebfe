"""Demo pretraining speed: where the images/s go, side by side in one run.

For the demo's SimCLR (and SwAV multi-crop, 2x32 + 2x16 px) on the same
network, batch, optimizer and threads, it measures images/s of:

- per-sample pipeline (Runner): mmpretrain's MultiView augmentation in the
  DataLoader workers, trained through mmengine's Runner (`mim train`);
- batched pipeline (Runner): the ``*_batched-aug.py`` config: the loader only
  decodes, ``BatchedAugDataPreprocessor`` makes the views on the device;
- model-only step: the same model and optimizer on views already in memory
  (the limit any data path can reach);
- lightly 1.6's SimCLRTransform (SimCLR only): a peer library's per-sample
  transform with the demo's settings in a DataLoader with the same workers,
  feeding the same model step (lightly is installed into a cache folder by
  this script with ``pip --target`` if missing, never into the environment;
  the row is skipped with a message if that fails);
- plain PyTorch loop with the per-sample pipeline (``--plain``; the earlier
  check that the Runner itself costs nothing).

Each row runs ``--warmup`` iterations, then ``--runs`` windows of
``--iters`` iterations; the figure is the median window's images/s.

    python benchmarks/demo_speed.py                  # demo sizes
    python benchmarks/demo_speed.py --iters 5 --runs 3
    python benchmarks/demo_speed.py --quick --data-root DIR   # toy size
"""
import argparse
import os
import os.path as osp
import statistics
import subprocess
import sys
import tempfile
import time

import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.dataset import default_collate
from mmengine.hooks import Hook
from mmengine.model import revert_sync_batchnorm
from mmengine.optim import build_optim_wrapper
from mmengine.registry import init_default_scope
from mmengine.runner import Runner

import mmssl_ext  # noqa: F401
from mmpretrain.registry import DATASETS, MODELS
from mmpretrain.structures import DataSample

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIG = osp.join(ROOT, 'configs', 'simclr',
                  'simclr_resnet18-cifar-w16_1xb256-adamw-coslr-300i_'
                  'fashion-mnist.py')
SWAV_CONFIG = osp.join(ROOT, 'configs', 'swav',
                       'swav_resnet18-cifar-w16_1xb64-mcrop-coslr-4e_'
                       'fashion-mnist-32px-16px.py')
LIGHTLY = ('lightly==1.6.0', 'lightning-utilities')
LIGHTLY_DIR = osp.join(osp.expanduser('~'), '.cache', 'mmssl_ext',
                       'lightly-1.6.0')


def batched_variant(path: str) -> str:
    """The ``_batched-aug.py`` sibling of a per-sample config."""
    return path[:-len('.py')] + '_batched-aug.py'


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


def run_mmengine(cfg, total):
    """Timestamps of ``total`` Runner iterations of ``cfg``."""
    cfg = cfg.copy()
    cfg.work_dir = tempfile.mkdtemp()
    cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=total)
    cfg.param_scheduler = []
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=10**9)
    cfg.default_hooks.logger = dict(type='LoggerHook', interval=10**9)
    cfg.log_level = 'WARNING'
    cfg.custom_hooks = []
    hook = _Timestamps()
    runner = Runner.from_cfg(cfg)
    runner.register_hook(hook, priority='LOWEST')
    runner.train()
    return hook.stamps


def _model_and_optim(cfg):
    init_default_scope('mmpretrain')
    model = revert_sync_batchnorm(MODELS.build(cfg.model))
    model.train()
    return model, build_optim_wrapper(model, cfg.optim_wrapper)


def _step(model, optim_wrapper, views, data_samples):
    losses = model(views, data_samples, mode='loss')
    loss, _ = model.parse_losses(losses)
    optim_wrapper.update_params(loss)


def run_model_only(cfg, batched_cfg, total):
    """The model step alone, on one batch of views made once (in memory)."""
    model, optim_wrapper = _model_and_optim(cfg)
    init_default_scope('mmpretrain')
    pre_cfg = (batched_cfg.model.get('data_preprocessor')
               or batched_cfg.data_preprocessor)
    pre = MODELS.build(pre_cfg)
    loader = Runner.build_dataloader(batched_cfg.train_dataloader)
    data = pre(next(iter(loader)), True)
    views, samples = data['inputs'], data['data_samples']
    stamps = []
    for _ in range(total):
        _step(model, optim_wrapper, views, samples)
        stamps.append(time.perf_counter())
    return stamps


def _loader_steps(model, optim_wrapper, loader, total, mean, std):
    stamps = []
    while len(stamps) < total:
        for views in loader:
            views = [(v - mean) / std for v in views]
            samples = [DataSample() for _ in range(views[0].shape[0])]
            _step(model, optim_wrapper, views, samples)
            stamps.append(time.perf_counter())
            if len(stamps) >= total:
                break
    return stamps


def import_lightly(target: str, install: bool):
    """lightly's SimCLRTransform, installed into ``target`` if missing.

    Returns the class, or a message saying why the row is skipped.
    """
    try:
        from lightly.transforms import SimCLRTransform
        return SimCLRTransform
    except ImportError:
        pass
    if target not in sys.path:
        sys.path.insert(0, target)
    try:
        from lightly.transforms import SimCLRTransform
        return SimCLRTransform
    except ImportError:
        pass
    if not install:
        return 'lightly not installed (and --no-install): skipped'
    cmd = [sys.executable, '-m', 'pip', 'install', '--quiet', '--no-deps',
           '--timeout', '15', '--retries', '0', '--target', target, *LIGHTLY]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True,
                              timeout=300)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f'could not install {" ".join(LIGHTLY)}: {exc}; skipped'
    if proc.returncode != 0:
        return (f'could not install {" ".join(LIGHTLY)} into {target} '
                f'({proc.stderr.strip().splitlines()[-1:]}); skipped')
    try:
        import importlib
        importlib.invalidate_caches()
        from lightly.transforms import SimCLRTransform
        return SimCLRTransform
    except ImportError as exc:
        return f'lightly installed but does not import ({exc}); skipped'


class _LightlyDataset(torch.utils.data.Dataset):
    """The demo's images through lightly's per-sample transform."""

    def __init__(self, paths, transform):
        self.paths, self.transform = paths, transform

    def __len__(self):
        return len(self.paths)

    def __getitem__(self, i):
        from PIL import Image
        with Image.open(self.paths[i]) as img:
            return self.transform(img.convert('RGB'))


def run_lightly(cfg, total, transform_cls):
    """lightly's SimCLRTransform with the demo's settings, same model step."""
    init_default_scope('mmpretrain')
    dl = cfg.train_dataloader
    dataset = DATASETS.build(dl.dataset)
    paths = [dataset.get_data_info(i)['img_path']
             for i in range(len(dataset))]
    # the demo's views: 32 px crops of area 0.2-1, flip 0.5, jitter
    # (0.4, 0.4, 0.4, 0.1) with prob 0.8; no grey, no blur; normalisation by
    # the model's preprocessor values (here, in the loop)
    transform = transform_cls(input_size=32, cj_prob=0.8, cj_strength=0.5,
                              min_scale=0.2, random_gray_scale=0.0,
                              gaussian_blur=0.0, normalize=None)
    loader = torch.utils.data.DataLoader(
        _LightlyDataset(paths, transform), batch_size=dl.batch_size,
        shuffle=True, drop_last=True, num_workers=dl.num_workers,
        persistent_workers=dl.num_workers > 0)
    model, optim_wrapper = _model_and_optim(cfg)
    pre = cfg.data_preprocessor
    mean = torch.tensor(pre.mean).view(1, -1, 1, 1) / 255
    std = torch.tensor(pre.std).view(1, -1, 1, 1) / 255
    return _loader_steps(model, optim_wrapper, loader, total, mean, std)


def nt_xent(z: torch.Tensor, temperature: float) -> torch.Tensor:
    """SimCLR loss of (2N, D) projections ordered [view1 of all, view2]."""
    z = F.normalize(z, dim=1)
    n = z.shape[0] // 2
    sim = z @ z.T / temperature
    sim.fill_diagonal_(float('-inf'))
    target = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)])
    return F.cross_entropy(sim, target)


def run_plain(cfg, total):
    """Plain PyTorch loop with the per-sample pipeline (no Runner)."""
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
            z = neck(backbone(torch.cat(views)))[0]
            loss = nt_xent(z, temperature)
            opt.zero_grad()
            loss.backward()
            opt.step()
            stamps.append(time.perf_counter())
            if len(stamps) >= total:
                break
    return stamps


def _load(path, args):
    cfg = Config.fromfile(path)
    if args.data_root:
        cfg.train_dataloader.dataset.data_root = args.data_root
    if args.batch_size:
        cfg.train_dataloader.batch_size = args.batch_size
    if args.workers is not None:
        cfg.train_dataloader.num_workers = args.workers
        cfg.train_dataloader.persistent_workers = args.workers > 0
    return cfg


def compare(title, path, args, lightly=None, plain=False):
    """Measure and print the rows of one recipe; returns {row: images/s}."""
    cfg = _load(path, args)
    batched = _load(batched_variant(path), args)
    batch = cfg.train_dataloader.batch_size
    total = args.warmup + args.iters * args.runs
    print(f'\n{title}: batch {batch}, torch threads '
          f'{torch.get_num_threads()}, workers '
          f'{cfg.train_dataloader.num_workers}, warm-up {args.warmup}, '
          f'{args.runs} x {args.iters} iterations', flush=True)
    rows = [('per-sample pipeline (Runner)', lambda: run_mmengine(cfg, total)),
            ('batched pipeline (Runner)',
             lambda: run_mmengine(batched, total)),
            ('model-only step (data in memory)',
             lambda: run_model_only(cfg, batched, total))]
    if lightly is not None:
        if isinstance(lightly, str):
            print(f'  lightly 1.6 SimCLRTransform: {lightly}')
        else:
            rows.append(('lightly 1.6 SimCLRTransform (loader)',
                         lambda: run_lightly(cfg, total, lightly)))
    if plain:
        rows.append(('plain PyTorch loop, per-sample',
                     lambda: run_plain(cfg, total)))
    speeds = {}
    for name, fn in rows:
        windows = window_speeds(fn(), args.warmup, args.iters, args.runs,
                                batch)
        speeds[name] = statistics.median(windows)
        print(f'  {name:36s} {speeds[name]:8.1f} images/s  (windows: '
              f'{", ".join(f"{s:.1f}" for s in windows)})', flush=True)
    per, bat, lim = (speeds[r[0]] for r in rows[:3])
    print(f'  ratio batched / model-only:  {bat / lim:.3f}  (goal >= 0.9)')
    print(f'  ratio batched / per-sample:  {bat / per:.3f}')
    if 'lightly 1.6 SimCLRTransform (loader)' in speeds:
        print(f'  ratio lightly / model-only:  '
              f'{speeds["lightly 1.6 SimCLRTransform (loader)"] / lim:.3f}')
    return speeds


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--config', default=CONFIG,
                        help='SimCLR config with a _batched-aug.py sibling')
    parser.add_argument('--swav-config', default=SWAV_CONFIG)
    parser.add_argument('--data-root', default=None,
                        help='default: the config\'s (data/fashion_mnist/)')
    parser.add_argument('--warmup', type=int, default=3)
    parser.add_argument('--iters', type=int, default=10)
    parser.add_argument('--runs', type=int, default=3)
    parser.add_argument('--batch-size', type=int, default=None)
    parser.add_argument('--workers', type=int, default=None,
                        help='DataLoader workers (default: the config\'s)')
    parser.add_argument('--threads', type=int, default=None)
    parser.add_argument('--no-swav', action='store_true')
    parser.add_argument('--no-lightly', action='store_true')
    parser.add_argument('--no-install', action='store_true',
                        help='do not pip-install lightly if missing')
    parser.add_argument('--lightly-dir', default=LIGHTLY_DIR,
                        help='where lightly is installed if missing')
    parser.add_argument('--plain', action='store_true',
                        help='also the plain PyTorch loop (per-sample)')
    parser.add_argument('--quick', action='store_true',
                        help='toy size (batch 16, 1 + 2 x 1 iterations, no '
                        'workers): checks that every row runs, measures '
                        'nothing')
    args = parser.parse_args(argv)
    if args.quick:
        args.warmup, args.iters, args.runs = 1, 1, 2
        args.batch_size = args.batch_size or 16
        args.workers = 0 if args.workers is None else args.workers
    if args.threads:
        torch.set_num_threads(args.threads)
    lightly = None
    if not args.no_lightly:
        lightly = import_lightly(args.lightly_dir, not args.no_install)
    compare('SimCLR (demo)', args.config, args, lightly=lightly,
            plain=args.plain)
    if not args.no_swav:
        compare('SwAV multi-crop 2x32 + 2x16 px', args.swav_config, args)
    return 0


if __name__ == '__main__':
    os.environ.setdefault('PYTHONWARNINGS', 'ignore::UserWarning')
    sys.exit(main())
