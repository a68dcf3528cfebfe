"""Shared by the classic-family tests (NPID, RelativeLoc, RotationPred, SwAV
queue and momentum hooks) and their 2-process scripts: shrink a repo config
to a few CPU iterations on the tiny Fashion-MNIST fixture."""
import os.path as osp
from typing import Optional

from mmengine.config import Config
from mmengine.hooks import Hook

from tests.helpers import GLOO_DDP_WRAPPER, REPO_ROOT


def tiny_cfg(config: str,
             data_root: str,
             work_dir: str,
             max_iters: int = 4,
             batch_size: int = 8,
             ckpt_interval: Optional[int] = None,
             distributed: bool = False) -> Config:
    """``config`` (path relative to the repo) trained ``max_iters``
    iterations on ``data_root`` (the ``fmnist_tiny`` layout) in
    ``work_dir``."""
    cfg = Config.fromfile(osp.join(REPO_ROOT, config))
    cfg.work_dir = work_dir
    loader = cfg.train_dataloader
    loader.batch_size = batch_size
    loader.num_workers = 0
    loader.persistent_workers = False
    loader.dataset.data_root = data_root
    cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters)
    cfg.param_scheduler = []
    cfg.log_processor = dict(by_epoch=False)
    cfg.default_hooks.logger = dict(type='LoggerHook', interval=1)
    cfg.default_hooks.checkpoint = dict(
        type='CheckpointHook', by_epoch=False,
        interval=ckpt_interval or max_iters)
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
    # SyncBN needs GPUs as soon as a process group exists: use BN on CPU.
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


class RecordHook(Hook):
    """Calls ``fn(runner)`` before each train iteration (test probe)."""
    _mmssl_internal = True

    def __init__(self, fn, when: str = 'before_train_iter') -> None:
        self.fn = fn
        setattr(self, when, self._call)

    def _call(self, runner, *args, **kwargs) -> None:
        self.fn(runner)
