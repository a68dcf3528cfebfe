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


def tiny_demo_cfg(data_root: str, work_dir: str, num_samples: int = 32,
                  batch_size: int = 16, max_epochs: int = 1):
    """The demo's SimCLR config at toy size, epoch-based, for Runner tests."""
    from mmengine.config import Config
    cfg = Config.fromfile(DEMO_CONFIG)
    cfg.work_dir = work_dir
    cfg.train_dataloader.dataset.data_root = data_root
    cfg.train_dataloader.dataset.indices = num_samples
    cfg.train_dataloader.batch_size = batch_size
    cfg.train_dataloader.num_workers = 0
    cfg.train_dataloader.persistent_workers = False
    cfg.model.backbone.base_channels = 8
    cfg.model.backbone.stem_channels = 8
    cfg.model.neck.in_channels = 64
    cfg.model.neck.hid_channels = 32
    cfg.model.neck.out_channels = 16
    cfg.train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs)
    cfg.param_scheduler = [dict(type='CosineAnnealingLR', T_max=max_epochs,
                                by_epoch=True, begin=0, end=max_epochs)]
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=1,
                                        by_epoch=True)
    cfg.default_hooks.logger = dict(type='LoggerHook', interval=1)
    cfg.log_processor = dict(by_epoch=True)
    cfg.log_level = 'WARNING'
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
