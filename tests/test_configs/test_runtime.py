"""configs/_base_/default_runtime.py: every pretraining config checkpoints
with AtomicCheckpointHook and saves the random generators (RNGStateHook);
a user config on mmpretrain's runtime gets neither until it adds README's
line."""
import glob
import os.path as osp

import pytest
from mmengine.config import Config

from tests.helpers import REPO_ROOT

PRETRAIN_CONFIGS = sorted(
    osp.relpath(p, REPO_ROOT)
    for p in glob.glob(osp.join(REPO_ROOT, 'configs', '**', '*.py'),
                       recursive=True)
    if '_base_' not in p and '/benchmarks/' not in p)
MMPRETRAIN_RUNTIME = "_base_ = 'mmpretrain::_base_/default_runtime.py'\n"


def _readme_snippet() -> str:
    readme = open(osp.join(REPO_ROOT, 'README.md')).read()
    section = readme.split('### Interrupted runs and exact resume', 1)[1]
    return section.split('```python\n', 1)[1].split('```', 1)[0]


def _hook_types(cfg) -> dict:
    return {name: hook['type'] for name, hook in cfg.default_hooks.items()
            if isinstance(hook, dict)}


def test_there_are_pretraining_configs():
    assert len(PRETRAIN_CONFIGS) >= 30


@pytest.mark.parametrize('path', PRETRAIN_CONFIGS)
def test_pretraining_config_is_kill_safe_and_resumes_exactly(path):
    cfg = Config.fromfile(osp.join(REPO_ROOT, path))
    types = _hook_types(cfg)
    assert types['checkpoint'] == 'AtomicCheckpointHook', path
    assert types['rng_state'] == 'RNGStateHook', path
    assert 'RNGStateHook' not in [h['type'] for h in
                                 cfg.get('custom_hooks', [])], path
    assert cfg.custom_imports.imports == ['mmssl_ext']


def test_shared_runtime_is_mmpretrain_plus_the_hooks():
    ours = Config.fromfile(
        osp.join(REPO_ROOT, 'configs', '_base_', 'default_runtime.py'))
    upstream = Config.fromstring(MMPRETRAIN_RUNTIME, '.py')
    assert set(ours) - set(upstream) == {'custom_imports'}
    for key in upstream:
        if key != 'default_hooks':
            assert ours[key] == upstream[key], key
    ours_hooks, upstream_hooks = _hook_types(ours), _hook_types(upstream)
    assert upstream_hooks['checkpoint'] == 'CheckpointHook'
    assert ours_hooks == dict(upstream_hooks, checkpoint='AtomicCheckpointHook',
                              rng_state='RNGStateHook')
    assert ours.default_hooks.checkpoint.interval == 10
    assert ours.default_hooks.checkpoint.max_keep_ckpts == 3


def test_readme_line_on_mmpretrain_runtime(tmp_path):
    """A user config on mmpretrain's default_runtime (here through a whole
    mmpretrain recipe, custom_hooks set) has plain CheckpointHook and no
    RNGStateHook; README's line adds both and keeps the inherited interval."""
    head = ("_base_ = 'mmpretrain::mocov2/mocov2_resnet50_8xb32-coslr-200e_"
            "in1k.py'\ncustom_imports = dict(imports=['mmssl_ext'])\n"
            "custom_hooks = [dict(type='MomentumUpdateHook')]\n")
    plain = tmp_path / 'plain.py'
    plain.write_text(head)
    with_line = tmp_path / 'with_line.py'
    with_line.write_text(head + _readme_snippet())
    before = Config.fromfile(str(plain))
    after = Config.fromfile(str(with_line))
    assert _hook_types(before)['checkpoint'] == 'CheckpointHook'
    assert 'rng_state' not in before.default_hooks
    assert _hook_types(after) == dict(_hook_types(before),
                                      checkpoint='AtomicCheckpointHook',
                                      rng_state='RNGStateHook')
    for key, value in before.default_hooks.checkpoint.items():
        if key != 'type':
            assert after.default_hooks.checkpoint[key] == value, key
    assert after.custom_hooks == before.custom_hooks
