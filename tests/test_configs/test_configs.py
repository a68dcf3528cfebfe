"""Every config under configs/ parses, and every mmpretrain-scope config
builds its model (full-size configs are built, never trained, here)."""
import glob
import os.path as osp

import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope

import mmssl_ext  # noqa: F401
from mmpretrain.registry import MODELS
from tests.helpers import REPO_ROOT
from tests.test_transfer.helpers import require_transfer_extras

CONFIGS = sorted(
    osp.relpath(p, REPO_ROOT)
    for p in glob.glob(osp.join(REPO_ROOT, 'configs', '**', '*.py'),
                       recursive=True) if '_base_' not in p)


def test_there_are_configs():
    assert len(CONFIGS) >= 8


@pytest.mark.parametrize('path', CONFIGS)
def test_config_parses_and_builds(path):
    if path.startswith(('configs/benchmarks/mmdetection',
                        'configs/benchmarks/mmsegmentation')):
        # their mmdet::/mmseg:: bases need the transfer extra
        require_transfer_extras()
    cfg = Config.fromfile(osp.join(REPO_ROOT, path))
    scope = cfg.get('default_scope', 'mmpretrain')
    if scope != 'mmpretrain':
        pytest.skip(f'{scope} config: built by the transfer tests')
    assert 'mmssl_ext' in cfg.get('custom_imports', {}).get('imports', []), (
        f'{path} must load the plugin via custom_imports')
    if 'model' not in cfg:
        pytest.skip('no model in this config')
    init_default_scope('mmpretrain')
    model = MODELS.build(cfg.model)
    assert sum(p.numel() for p in model.parameters()) > 0
