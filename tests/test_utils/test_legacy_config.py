"""MMSelfSup 0.x runtime keys (mmssl_ext/utils/legacy_config.py): one
warning per run when a config that still holds them runs with our hooks,
none for a clean config; the launcher-side call keeps the hooks of the
process it starts quiet; the migration tool leaves none of them."""
import glob
import os.path as osp

import pytest
from mmengine.runner import Runner

import mmssl_ext  # noqa: F401
from mmssl_ext.utils import legacy_config
from mmssl_ext.utils.legacy_config import (LEGACY_RUNTIME_KEYS, MIGRATE_TOOL,
                                           WARNED_ENV, legacy_runtime_keys,
                                           warn_legacy_runtime_keys)
from tests.helpers import tiny_cfg

CONFIG = ('configs/rotation_pred/rotation-pred_resnet18-cifar-w16_1xb64-'
          'steplr-2e_fashion-mnist.py')
HEADLINE = 'holds MMSelfSup 0.x runtime keys that mmengine silently ignores'


def _run(data_root, work_dir, **legacy):
    cfg = tiny_cfg(CONFIG, data_root, work_dir, max_iters=1, batch_size=4)
    # two of our hooks, each calling the check in before_run: the recipe's
    # default RNGStateHook and the checkpoint hook
    assert cfg.default_hooks.rng_state.type == 'RNGStateHook'
    cfg.default_hooks.checkpoint = dict(type='AtomicCheckpointHook',
                                        by_epoch=False, interval=1)
    cfg.merge_from_dict(legacy)
    runner = Runner.from_cfg(cfg)
    runner.train()
    return ''.join(open(f).read()
                   for f in glob.glob(osp.join(work_dir, '*', '*.log')))


@pytest.fixture
def no_env(monkeypatch):
    # setenv first: monkeypatch then removes what the launcher call sets
    monkeypatch.setenv(WARNED_ENV, '')
    monkeypatch.delenv(WARNED_ENV)


def test_legacy_config_warns_once(fmnist_tiny, tmp_path, no_env):
    log = _run(fmnist_tiny, str(tmp_path / 'w'),
               resume_from=None, total_epochs=3)
    assert log.count(HEADLINE) == 1, log[-3000:]
    assert 'resume_from (-> load_from=CKPT + resume=True' in log
    assert 'total_epochs (-> train_cfg.max_epochs)' in log
    assert MIGRATE_TOOL in log


def test_clean_config_logs_nothing(fmnist_tiny, tmp_path, no_env):
    log = _run(fmnist_tiny, str(tmp_path / 'w'))
    assert 'runtime keys' not in log
    assert MIGRATE_TOOL not in log


def test_launcher_call_silences_the_hooks(fmnist_tiny, tmp_path, no_env,
                                          capsys):
    """A launcher checks the config (and --cfg-options) first: the training
    process it starts inherits the mark and does not warn again."""
    from mmengine.config import Config
    cfg = Config(dict(lr_config=dict(policy='step', step=[3]),
                      optim_wrapper=dict(optimizer=dict(type='SGD')),
                      optimizer=dict(type='SGD')))
    found = warn_legacy_runtime_keys(cfg=cfg, config='old.py',
                                     cfg_options=['runner.max_epochs=2'])
    assert found == [f'runner (-> {LEGACY_RUNTIME_KEYS["runner"]})',
                     f'lr_config (-> {LEGACY_RUNTIME_KEYS["lr_config"]})']
    assert legacy_config.os.environ[WARNED_ENV] == 'old.py'
    log = _run(fmnist_tiny, str(tmp_path / 'w'), resume_from=None)
    assert HEADLINE not in log


def test_what_counts():
    assert legacy_runtime_keys(dict(optimizer=dict(type='SGD'))) == [
        f'optimizer (-> {LEGACY_RUNTIME_KEYS["optimizer"]})']
    # mmengine configs keep `optimizer` / `data` as helper variables
    assert legacy_runtime_keys(dict(optimizer=dict(type='SGD'),
                                    optim_wrapper=dict())) == []
    assert legacy_runtime_keys(dict(data=dict(root='x'))) == []
    assert legacy_runtime_keys(dict(data=dict(imgs_per_gpu=2))) == [
        f'data.imgs_per_gpu (-> {LEGACY_RUNTIME_KEYS["data"]})']


def test_migration_tool_translates_every_listed_key():
    """The tool checks its output against the same list: a config holding
    every listed key migrates without any of them left."""
    from tests.test_tools._load_tool import load_tool
    tool = load_tool('misc/migrate_mmselfsup_config.py')
    src = dict(
        resume_from='a.pth', checkpoint_config=dict(interval=1),
        log_config=dict(interval=5, hooks=[dict(type='TextLoggerHook')]),
        runner=dict(type='EpochBasedRunner', max_epochs=2), total_epochs=2,
        evaluation=dict(interval=1), workflow=[('train', 1)],
        dist_params=dict(backend='nccl'), optimizer_config=dict(),
        lr_config=dict(policy='step', step=[1]), momentum_config=None,
        optimizer=dict(type='SGD', lr=0.1), fp16=dict(loss_scale=512.),
        cudnn_benchmark=True, mp_start_method='fork', opencv_num_threads=0,
        prefetch=False, gpu_ids=[0])
    migration = tool.Migration(src)
    out = migration.run()
    assert legacy_runtime_keys(out) == []
    leftovers = [m for _, _, m in migration.problems if '0.x runtime' in m]
    assert leftovers == [], leftovers


def test_launcher_uses_the_same_list_and_marks_the_run(no_env, capsys):
    """tools/misc/launch.py: this module's list and check, printed on
    stderr, and the environment its training process inherits marked."""
    from mmengine.config import Config
    from tests.test_tools._load_tool import load_tool
    launch = load_tool('misc/launch.py')
    assert launch.LEGACY_RUNTIME_KEYS == LEGACY_RUNTIME_KEYS
    cfg = Config(dict(total_epochs=3))
    found = launch.warn_legacy_keys(cfg, 'old.py',
                                    ['dist_params.backend=gloo'])
    assert found == ['total_epochs (-> train_cfg.max_epochs)']
    err = capsys.readouterr().err
    assert err.count(HEADLINE) == 1 and MIGRATE_TOOL in err
    assert legacy_config.os.environ[WARNED_ENV] == 'old.py'
