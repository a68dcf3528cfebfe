"""Every transfer config parses (its mmdet::/mmseg:: bases resolve) without
mmcv ops; with ops, every model builds."""
import glob
import os.path as osp

import pytest

from tests.test_transfer.helpers import (CONFIG_ROOT, require_ops,
                                         require_transfer_extras)

CONFIGS = sorted(
    glob.glob(osp.join(CONFIG_ROOT, 'mmdetection', '*', '*.py')) +
    glob.glob(osp.join(CONFIG_ROOT, 'mmsegmentation', '*', '*.py')))
FULL = [c for c in CONFIGS if '/fashion-mnist/' not in c]


def _scope(path):
    return 'mmdet' if '/mmdetection/' in path else 'mmseg'


def _load(path):
    require_transfer_extras()
    from mmengine.config import Config
    return Config.fromfile(path)


def test_the_seed_configs_exist():
    names = {osp.relpath(c, CONFIG_ROOT) for c in CONFIGS}
    assert {
        'mmdetection/coco/mask-rcnn_r50-fpn_ms-1x_coco.py',
        'mmdetection/voc0712/faster-rcnn_r50-c4_ms-24k_voc0712.py',
        'mmsegmentation/voc12aug/fcn_r50-d8_4xb4-20k_voc12aug-512x512.py',
        'mmsegmentation/cityscapes/'
        'fcn_r50-d8_4xb2-40k_cityscapes-769x769.py',
    } <= names
    assert len(CONFIGS) - len(FULL) == 3  # CPU-sized siblings


@pytest.mark.parametrize('path', CONFIGS,
                         ids=lambda p: osp.relpath(p, CONFIG_ROOT))
def test_config_parses(path):
    cfg = _load(path)
    assert cfg.default_scope == _scope(path)
    backbone = cfg.model.backbone
    # Plain ResNet with the 7x7 stem of the pretraining backbone; random init
    # unless the launcher passes PRETRAIN.
    assert backbone.type == 'ResNet' and not backbone.get('deep_stem', False)
    assert backbone.get('init_cfg') is None
    assert backbone.norm_eval is False
    assert cfg.model.get('pretrained') is None
    assert cfg.custom_imports.imports[0].startswith('mmssl_ext')


def test_protocol_details():
    c4 = _load(osp.join(CONFIG_ROOT, 'mmdetection', 'voc0712',
                        'faster-rcnn_r50-c4_ms-24k_voc0712.py'))
    assert c4.train_cfg.max_iters == 24000
    assert c4.model.roi_head.shared_head.type == 'ResStageExtraNorm'
    assert c4.model.roi_head.shared_head.get('init_cfg') is None
    assert c4.model.data_preprocessor.bgr_to_rgb is True
    assert c4.model.backbone.norm_cfg.type == 'SyncBN'
    assert len(c4.train_pipeline[2].scales) > 1  # multi-scale
    mask = _load(osp.join(CONFIG_ROOT, 'mmdetection', 'coco',
                          'mask-rcnn_r50-fpn_ms-1x_coco.py'))
    assert mask.model.neck.norm_cfg.type == 'SyncBN'
    assert mask.model.roi_head.bbox_head.type == 'Shared4Conv1FCBBoxHead'


@pytest.mark.parametrize('path', CONFIGS,
                         ids=lambda p: osp.relpath(p, CONFIG_ROOT))
def test_model_builds(path):
    require_ops()
    import importlib

    from mmengine.registry import DefaultScope
    cfg = _load(path)
    registry = importlib.import_module(f'{_scope(path)}.registry').MODELS
    importlib.import_module(f'{_scope(path)}.models')
    with DefaultScope.overwrite_default_scope(_scope(path)):
        model = registry.build(cfg.model)
    assert sum(p.numel() for p in model.parameters()) > 0


NO_OPS_SCRIPT = """
import importlib.abc, io, sys, glob
from contextlib import redirect_stderr


class BlockOps(importlib.abc.MetaPathFinder):
    # Simulate mmcv-lite: mmcv's compiled extension cannot be imported.
    def find_spec(self, name, path, target=None):
        if name == 'mmcv._ext':
            raise ImportError('mmcv._ext blocked by the test')


sys.meta_path.insert(0, BlockOps())
from mmengine.config import Config
from mmssl_ext.compat import has_mmcv_ops
assert not has_mmcv_ops()
for path in sys.argv[2:]:
    cfg = Config.fromfile(path)  # imports custom_imports too
    assert cfg.model.backbone.type == 'ResNet', path
sys.path.insert(0, sys.argv[1])
import check_transfer_pretrain as tool
err = io.StringIO()
with redirect_stderr(err):
    rc = tool.main(['mmdet', sys.argv[2], 'missing.pth'])
assert rc == 1 and 'make mmcv-full' in err.getvalue(), err.getvalue()
print('ok')
"""


def test_configs_parse_and_check_explains_without_ops():
    """On mmcv-lite the configs still parse (mmssl_ext.transfer needs no
    ops) and the pre-flight check points to `make mmcv-full`."""
    require_transfer_extras()
    import subprocess
    import sys

    from tests.helpers import REPO_ROOT
    tools_dir = osp.join(REPO_ROOT, 'tools', 'benchmarks')
    proc = subprocess.run(
        [sys.executable, '-W', 'ignore', '-c', NO_OPS_SCRIPT, tools_dir,
         *CONFIGS], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0 and 'ok' in proc.stdout, proc.stderr[-3000:]

SIBLINGS = [c for c in CONFIGS if '/fashion-mnist/' in c]
PRETRAIN_56PX = [
    'configs/simclr/'
    'simclr_resnet18-w16_1xb256-adamw-coslr-300i_fashion-mnist-56px.py',
    'configs/supervised/'
    'resnet18-w16_1xb256-adamw-coslr-300i_fashion-mnist-56px.py',
]


@pytest.mark.parametrize('path', SIBLINGS,
                         ids=lambda p: osp.relpath(p, CONFIG_ROOT))
def test_siblings_normalise_like_their_pretraining(path):
    """Fine-tuning feeds the pretrained backbone the inputs it was trained
    on: the CPU siblings' mean/std/channel order are those of the 56 px
    pretraining configs that make their PRETRAIN (not mmdet/mmseg's
    ImageNet defaults)."""
    from mmengine.config import Config
    repo = osp.dirname(osp.dirname(CONFIG_ROOT))
    pre = []
    for rel in PRETRAIN_56PX:  # mmpretrain also takes a top-level one
        cfg = Config.fromfile(osp.join(repo, rel))
        pre.append(cfg.model.get('data_preprocessor') or
                   cfg.data_preprocessor)
    for p in pre[1:]:
        assert (p.mean, p.std) == (pre[0].mean, pre[0].std)
    swaps = pre[0].get('to_rgb', pre[0].get('bgr_to_rgb', False))
    fine = _load(path).model.data_preprocessor
    assert list(fine.mean) == list(pre[0].mean)
    assert list(fine.std) == list(pre[0].std)
    assert fine.bgr_to_rgb == swaps
