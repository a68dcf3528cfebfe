"""MMSelfSup 0.x (mmcv-1) runtime keys that mmengine silently ignores.

A ported config that still holds ``resume_from``, ``total_epochs``,
``lr_config``, ``data=dict(imgs_per_gpu=...)``, ... trains, but not as
written: mmengine's Runner reads none of these keys. This module is the one
list of them and the one check:

* ``tools/misc/migrate_mmselfsup_config.py`` translates every key of
  :data:`LEGACY_RUNTIME_KEYS` and verifies that none is left in its output;
* our hooks (DeepClusterHook, ODCHook, MomentumUpdateHook, KNNEvalHook,
  MemoryBankCheckHook, SwAVQueueHook, RNGStateHook, AtomicCheckpointHook)
  call :func:`warn_legacy_runtime_keys` in ``before_run`` with the runner's
  config (the package import cannot see the config);
* the shell launchers (``tools/misc/launch.py``, which loads this file by
  path) call :func:`warn_legacy_runtime_keys` with the config and the
  ``--cfg-options`` they are about to run; the hooks of the training
  process they start then stay quiet (:data:`WARNED_ENV`).

At most one warning per run: the first hook marks the runner; a launcher
sets the environment variable :data:`WARNED_ENV`, which the training process
it starts inherits, and the hooks then stay quiet.
"""
import logging
import os
from typing import Callable, Dict, List, Optional, Sequence

__all__ = ['LEGACY_RUNTIME_KEYS', 'MIGRATE_TOOL', 'WARNED_ENV',
           'legacy_runtime_keys', 'legacy_keys_message',
           'warn_legacy_runtime_keys']

MIGRATE_TOOL = 'tools/misc/migrate_mmselfsup_config.py'

#: Set (to the config's name) once the warning was given for this run.
WARNED_ENV = 'MMSSL_EXT_LEGACY_KEYS_WARNED'

#: 0.x top-level key -> what replaces it in an mmengine config.
LEGACY_RUNTIME_KEYS: Dict[str, str] = {
    'resume_from': 'load_from=CKPT + resume=True (--resume CKPT)',
    'checkpoint_config': 'default_hooks.checkpoint',
    'log_config': 'default_hooks.logger (+ visualizer for TensorBoard)',
    'runner': "train_cfg=dict(by_epoch=True, max_epochs=N) or "
              "dict(type='IterBasedTrainLoop', max_iters=N)",
    'total_epochs': 'train_cfg.max_epochs',
    'evaluation': 'val_cfg / val_evaluator (or KNNEvalHook)',
    'workflow': 'train_cfg / val_cfg (mmengine has no workflow)',
    'dist_params': 'env_cfg.dist_cfg',
    'optimizer_config': 'optim_wrapper (clip_grad, accumulative_counts)',
    'lr_config': 'param_scheduler',
    'momentum_config': 'param_scheduler (momentum schedulers)',
    'data': 'train_dataloader / val_dataloader / test_dataloader '
            '(imgs_per_gpu, samples_per_gpu -> batch_size, '
            'workers_per_gpu -> num_workers)',
    'optimizer': 'optim_wrapper.optimizer (paramwise_options -> '
                 'optim_wrapper.paramwise_cfg)',
    'fp16': "optim_wrapper.type='AmpOptimWrapper' (or --amp)",
    'cudnn_benchmark': 'env_cfg.cudnn_benchmark',
    'mp_start_method': 'env_cfg.mp_cfg.mp_start_method',
    'opencv_num_threads': 'env_cfg.mp_cfg.opencv_num_threads',
    'prefetch': 'nothing (mmengine has no prefetching loader)',
    'gpu_ids': 'the launcher (GPUS)',
}
#: keys of 0.x's ``data=dict(...)`` (mmengine configs may use ``data`` for
#: something else: only these make it a 0.x key).
LEGACY_DATA_KEYS = ('imgs_per_gpu', 'samples_per_gpu', 'workers_per_gpu',
                    'train', 'val', 'test', 'drop_last')


def legacy_runtime_keys(cfg, cfg_options: Sequence[str] = ()) -> List[str]:
    """The 0.x runtime keys of ``cfg`` (a Config or dict) and of
    ``--cfg-options`` entries (``'key=value'`` strings), as
    ``'key (-> replacement)'`` lines, in :data:`LEGACY_RUNTIME_KEYS` order.

    ``optimizer`` counts only without ``optim_wrapper`` (mmengine configs
    keep ``optimizer`` as a helper variable); ``data`` only when it holds a
    0.x dataloader key (:data:`LEGACY_DATA_KEYS`).
    """
    names = set(cfg.keys()) | {
        o.split('=', 1)[0].split('.', 1)[0] for o in cfg_options}
    found = []
    for key, new in LEGACY_RUNTIME_KEYS.items():
        if key not in names:
            continue
        if key == 'optimizer' and 'optim_wrapper' in cfg:
            continue
        label = key
        if key == 'data':
            data = cfg.get('data')
            sub = [k for k in LEGACY_DATA_KEYS
                   if hasattr(data, 'keys') and k in data]
            if not sub and not any(o.startswith('data.') for o in
                                   cfg_options):
                continue
            label = 'data.' + '/'.join(sub) if sub else 'data'
        found.append(f'{label} (-> {new})')
    return found


def legacy_keys_message(found: Sequence[str], config: str = 'the config'
                        ) -> str:
    """The warning text for the lines of :func:`legacy_runtime_keys`."""
    return (f'{config} holds MMSelfSup 0.x runtime keys that mmengine '
            f'silently ignores:\n    ' + '\n    '.join(found) +
            f'\n  Translate the config: python {MIGRATE_TOOL} '
            f'{config if config != "the config" else "OLD.py"} NEW.py --check')


def warn_legacy_runtime_keys(runner=None, cfg=None, config: str = '',
                             cfg_options: Sequence[str] = (),
                             logger=None,
                             printer: Optional[Callable[[str], None]] = None
                             ) -> Optional[List[str]]:
    """Warn once per run about the 0.x runtime keys of a config.

    Args:
        runner: an mmengine Runner (hooks' ``before_run``): its ``cfg`` is
            checked and the runner is marked, so the other hooks stay quiet.
        cfg: a Config / dict to check instead (launchers).
        config (str): the config's file name, for the message.
        cfg_options (list[str]): ``--cfg-options`` entries (launchers).
        logger: where to log (default: mmengine's current logger).
        printer (callable, optional): called with the message instead of
            logging it (launchers print to stderr).

    Returns:
        list[str] | None: the keys found, or None when this run was already
        checked (by another hook, or by the launcher that started this
        process).
    """
    if runner is not None:
        if getattr(runner, '_mmssl_legacy_keys_checked', False):
            return None
        runner._mmssl_legacy_keys_checked = True
        cfg = getattr(runner, 'cfg', None) if cfg is None else cfg
        config = config or getattr(cfg, 'filename', None) or ''
        if os.environ.get(WARNED_ENV):   # the launcher warned already
            return None
    if cfg is None or not hasattr(cfg, 'keys'):
        cfg = {}
    found = legacy_runtime_keys(cfg, cfg_options)
    if found:
        if runner is None:   # a launcher: its child processes stay quiet
            os.environ[WARNED_ENV] = os.path.basename(config) or '1'
        message = legacy_keys_message(found, config or 'the config')
        if printer is not None:
            printer(message)
        else:
            from mmengine.logging import print_log
            print_log(message, logger=logger or 'current',
                      level=logging.WARNING)
    return found
