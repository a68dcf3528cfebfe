"""Shared test utilities: tiny real datasets and the 2-process gloo recipe.

The multi-process recipe (see DESIGN.md): start N processes with
``python -m torch.distributed.run``, call
``torch.distributed.init_process_group('gloo')`` in the script, then build the
Runner with ``launcher='pytorch'`` and :data:`GLOO_DDP_WRAPPER` (mmengine's
``init_dist`` would call ``torch.cuda.set_device`` and fail without a GPU; it
is skipped when a process group already exists).
"""
import functools
import importlib.util
import os
import os.path as osp
import socket
import subprocess
import sys
from typing import Dict, Optional, Sequence

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
PREPARE_SCRIPT = osp.join(REPO_ROOT, 'tools', 'dataset_converters',
                          'prepare_classification_data.py')

#: ``model_wrapper_cfg`` for CPU DDP tests: no buffer broadcast, so a rank
#: divergence in a memory bank is visible instead of being papered over.
GLOO_DDP_WRAPPER = dict(type='MMDistributedDataParallel', device_ids=None,
                        broadcast_buffers=False)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def run_distributed(script: str,
                    args: Sequence[str] = (),
                    nproc: int = 2,
                    timeout: float = 600,
                    env: Optional[Dict[str, str]] = None
                    ) -> subprocess.CompletedProcess:
    """Run ``script`` under ``torch.distributed.run`` with ``nproc`` processes.

    Raises AssertionError with both processes' output if the run fails.
    """
    full_env = dict(os.environ)
    full_env.update({'OMP_NUM_THREADS': '1', 'PYTHONPATH': REPO_ROOT})
    full_env.update(env or {})
    cmd = [sys.executable, '-m', 'torch.distributed.run',
           f'--nproc_per_node={nproc}', '--nnodes=1',
           f'--master_port={free_port()}', script, *map(str, args)]
    proc = subprocess.run(cmd, env=full_env, capture_output=True, text=True,
                          timeout=timeout)
    assert proc.returncode == 0, (
        f'{" ".join(cmd)} failed ({proc.returncode}):\n'
        f'--- stdout ---\n{proc.stdout[-6000:]}\n'
        f'--- stderr ---\n{proc.stderr[-6000:]}')
    return proc


@functools.lru_cache(maxsize=None)
def dataset_sources():
    """tools/dataset_converters/dataset_sources.py (IDX reader, PNG writer),
    imported as a module (tools/ is not a package)."""
    path = osp.join(REPO_ROOT, 'tools', 'dataset_converters',
                    'dataset_sources.py')
    spec = importlib.util.spec_from_file_location('dataset_sources', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def prepare_fashion_mnist(out: str, limit_train: int, limit_test: int) -> str:
    """Write the first images of Fashion-MNIST in both layouts; skip if absent."""
    import pytest
    if not osp.isdir(dataset_sources().FASHION_MNIST_DEBIAN_DIR):
        pytest.skip('Fashion-MNIST is not installed: '
                    '`apt-get install dataset-fashion-mnist` (make setup does).')
    subprocess.run([sys.executable, PREPARE_SCRIPT, 'fashion-mnist', out,
                    '--limit-train', str(limit_train), '--limit-test',
                    str(limit_test)], check=True, capture_output=True)
    return out


DEMO_CONFIG = osp.join(REPO_ROOT, 'configs', 'simclr',
                       'simclr_resnet18-cifar-w16_1xb256-adamw-coslr-300i_'
                       'fashion-mnist.py')


def tiny_cfg(config,
             data_root: str,
             work_dir: str,
             max_iters: int = 4,
             batch_size: int = 8,
             ckpt_interval: Optional[int] = None,
             distributed: bool = False,
             max_epochs: Optional[int] = None,
             num_samples: Optional[int] = None):
    """The one config-shrinking helper of the tests: ``config`` (a path,
    relative to the repo or absolute) trained for a few CPU iterations on
    ``data_root`` (the ``fmnist_tiny`` layout) in ``work_dir``.

    Only the run is shrunk, the recipe is kept: batch size, loader workers,
    the training set (``data_root``, the first ``num_samples`` images of the
    innermost dataset of wrappers such as ``PseudoLabelDataset``), the loop
    (``max_iters`` iterations, or ``max_epochs`` epochs when given; no lr
    schedule), a ``CheckpointHook`` every ``ckpt_interval`` iterations
    (every epoch with ``max_epochs``), logging every iteration, seed 0, gloo
    and BN instead of SyncBN (SyncBN needs GPUs once a process group
    exists). The other default hooks (e.g. ``rng_state``), custom hooks,
    model and pipeline stay as the config has them: callers shrink the
    model they need. ``distributed=True`` sets the 2-process gloo recipe
    (:data:`GLOO_DDP_WRAPPER`).
    """
    from mmengine.config import Config
    cfg = Config.fromfile(osp.join(REPO_ROOT, config))
    cfg.work_dir = work_dir
    cfg.log_level = 'WARNING'
    loader = cfg.train_dataloader
    loader.batch_size = batch_size
    loader.num_workers = 0
    loader.persistent_workers = False
    dataset = loader.dataset
    while 'dataset' in dataset:  # wrappers, e.g. PseudoLabelDataset
        dataset = dataset.dataset
    dataset.data_root = data_root
    if num_samples is not None:
        dataset.indices = num_samples
    by_epoch = max_epochs is not None
    cfg.train_cfg = (dict(type='EpochBasedTrainLoop', max_epochs=max_epochs)
                     if by_epoch else
                     dict(type='IterBasedTrainLoop', max_iters=max_iters))
    cfg.param_scheduler = []
    cfg.log_processor = dict(by_epoch=by_epoch)
    cfg.default_hooks.logger = dict(type='LoggerHook', interval=1)
    cfg.default_hooks.checkpoint = dict(
        type='CheckpointHook', by_epoch=by_epoch,
        interval=ckpt_interval or (1 if by_epoch else max_iters))
    cfg.randomness = dict(seed=0)
    cfg.env_cfg = dict(dist_cfg=dict(backend='gloo'))
    cfg.visualizer = dict(type='Visualizer',
                          vis_backends=[dict(type='LocalVisBackend')])
    if distributed:
        cfg.launcher = 'pytorch'
        # an explicit wrapper config ignores cfg.find_unused_parameters
        cfg.model_wrapper_cfg = dict(
            GLOO_DDP_WRAPPER,
            find_unused_parameters=cfg.get('find_unused_parameters', False))
    _replace_syncbn(cfg.model)
    return cfg


def _replace_syncbn(node) -> None:
    if isinstance(node, dict):
        if node.get('type') == 'SyncBN':
            node['type'] = 'BN'
        for value in node.values():
            _replace_syncbn(value)
    elif isinstance(node, (list, tuple)):
        for value in node:
            _replace_syncbn(value)


def tiny_demo_cfg(data_root: str, work_dir: str, num_samples: int = 32,
                  batch_size: int = 16, max_epochs: int = 1):
    """The demo's SimCLR config at toy size (width 8), epoch-based with a
    cosine lr schedule, for Runner tests."""
    cfg = tiny_cfg(DEMO_CONFIG, data_root, work_dir, batch_size=batch_size,
                   max_epochs=max_epochs, num_samples=num_samples)
    cfg.model.backbone.update(base_channels=8, stem_channels=8)
    cfg.model.neck.update(in_channels=64, hid_channels=32, out_channels=16)
    cfg.param_scheduler = [dict(type='CosineAnnealingLR', T_max=max_epochs,
                                by_epoch=True, begin=0, end=max_epochs)]
    for key in ('knn_train_dataloader', 'knn_test_dataloader'):
        cfg[key].dataset.data_root = data_root
    return cfg


def shrink_crops(obj, big: int = 32, small: int = 16):
    """A copy of a pipeline (or any config) whose random-resized crops are
    tiny: output sizes of 224 px and more become ``big``, smaller ones
    (multi-crop's 96 px) ``small``. Everything else is kept."""
    if isinstance(obj, dict):
        obj = {k: shrink_crops(v, big, small) for k, v in obj.items()}
        if obj.get('type') in ('RandomResizedCrop',
                               'RandomResizedCropAndInterpolationWithTwoPic'):
            scale = obj.get('scale')
            if isinstance(scale, int) and scale > big:
                obj['scale'] = small if scale < 224 else big
        return obj
    if isinstance(obj, (list, tuple)):
        return type(obj)(shrink_crops(v, big, small) for v in obj)
    return obj


#: config text of a tiny labelled-image model (ResNet_CIFAR-18, width 8,
#: Fashion-MNIST normalisation) for tool tests that read a CONFIG file
TINY_CLASSIFIER_CFG = """default_scope = 'mmpretrain'
model = dict(
    type='ImageClassifier',
    backbone=dict(type='ResNet_CIFAR', depth=18, stem_channels=8,
                  base_channels=8),
    neck=dict(type='GlobalAveragePooling'),
    data_preprocessor=dict(mean=[72.9] * 3, std=[90.0] * 3))
"""
