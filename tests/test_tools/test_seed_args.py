"""MMSelfSup launcher flags -> mmpretrain's train.py."""
import os.path as osp
import subprocess
import sys

import pytest
import torch

from tests.helpers import REPO_ROOT

SEED_ARGS = osp.join(REPO_ROOT, 'tools', 'misc', 'seed_args.py')
sys.path.insert(0, osp.dirname(SEED_ARGS))
from seed_args import translate  # noqa: E402


def test_flags_become_cfg_options():
    out = translate(['--work_dir', 'w', '--seed', '3', '--deterministic',
                     '--diff-seed', '--cfg-options', 'a=1', 'b.c=[1,2]',
                     '--resume', '--amp'])
    assert out[:5] == ['--work-dir', 'w', '--resume', '--amp',
                       '--cfg-options']
    assert set(out[5:]) == {'randomness.seed=3',
                            'randomness.deterministic=True',
                            'randomness.diff_rank_seed=True', 'a=1',
                            'b.c=[1,2]'}


@pytest.mark.parametrize('prefixed', [True, False])
def test_model_pretrained_becomes_backbone_init_cfg(tmp_path, prefixed):
    key = 'backbone.conv1.weight' if prefixed else 'conv1.weight'
    path = tmp_path / 'w.pth'
    torch.save({'state_dict': {key: torch.zeros(1)}}, path)
    out = translate(['--cfg-options', f'model.pretrained={path}'])
    assert 'model.backbone.init_cfg.type=Pretrained' in out
    assert f'model.backbone.init_cfg.checkpoint={path}' in out
    assert ('model.backbone.init_cfg.prefix=backbone.' in out) == prefixed


def test_missing_pretrained_is_an_error(tmp_path):
    with pytest.raises(SystemExit, match='file not found'):
        translate(['--cfg-options', f'model.pretrained={tmp_path}/no.pth'])


def test_scripts_resolve_mmpretrain_tools():
    out = subprocess.run([sys.executable, SEED_ARGS, 'train-script'],
                         capture_output=True, text=True, check=True)
    path = out.stdout.strip()
    assert path.endswith(osp.join('.mim', 'tools', 'train.py'))
    assert osp.isfile(path)


def test_dist_train_usage_error():
    proc = subprocess.run(['bash', osp.join(REPO_ROOT, 'tools',
                                            'dist_train.sh')],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and 'usage' in proc.stderr


def test_translated_args_parse_in_mmpretrain_train_py():
    """The translated list is accepted by mmpretrain's own argument parser."""
    train_py = subprocess.run([sys.executable, SEED_ARGS, 'train-script'],
                              capture_output=True, text=True,
                              check=True).stdout.strip()
    src = open(train_py).read()
    ns = {}
    exec(src.split('def merge_args')[0], ns)  # imports + parse_args only
    args = translate(['--seed', '1', '--deterministic', '--work_dir', 'w',
                      '--cfg-options', 'x=1'])
    sys_argv = sys.argv
    try:
        sys.argv = ['train.py', 'cfg.py', *args]
        parsed = ns['parse_args']()
    finally:
        sys.argv = sys_argv
    assert parsed.work_dir == 'w'
    assert parsed.cfg_options == {'randomness.seed': 1,
                                  'randomness.deterministic': True, 'x': 1}
