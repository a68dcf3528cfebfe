"""The recipe values of every algorithm's configs (in1k, custom-dataset and
CPU-sized siblings), read from the resolved configs. Parsing and building
every config is test_configs.py's job; the shared runtime's hooks are
test_runtime.py's."""
import glob
import os.path as osp

import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmpretrain.registry import HOOKS, MODELS

import mmssl_ext  # noqa: F401
from mmssl_ext.engine.hooks.swav_queue_hook import SwAVQueueHook
from tests.helpers import REPO_ROOT


def _configs(folder):
    return sorted(glob.glob(osp.join(REPO_ROOT, 'configs', folder, '*.py')))


def _build_hooks(cfg):
    init_default_scope('mmpretrain')
    return [HOOKS.build(dict(hook)) for hook in cfg.custom_hooks]


@pytest.mark.parametrize('path', _configs('rotation_pred'), ids=osp.basename)
def test_rotation_pred(path):
    cfg = Config.fromfile(path)
    assert cfg.model.type == 'RotationPred'
    assert cfg.model.head.num_classes == 4


@pytest.mark.parametrize('path', _configs('relative_loc'), ids=osp.basename)
def test_relative_loc(path):
    cfg = Config.fromfile(path)
    assert cfg.model.type == 'RelativeLoc'
    assert cfg.model.head.num_classes == 8


@pytest.mark.parametrize('path', _configs('npid'), ids=osp.basename)
def test_npid(path):
    cfg = Config.fromfile(path)
    assert cfg.model.type == 'NPID'
    assert cfg.model.memory_bank.momentum == 0.5
    assert cfg.model.memory_bank.feat_dim == 128
    assert cfg.model.head.temperature == 0.07
    assert cfg.model.ensure_neg == ('ensure-neg' in path)
    if 'in1k' in path:
        assert cfg.model.neg_num == 65536
        assert cfg.model.memory_bank.length == 1281167


@pytest.mark.parametrize('path', _configs('odc'), ids=osp.basename)
def test_odc(path):
    cfg = Config.fromfile(path)
    assert cfg.default_scope == 'mmpretrain'
    assert cfg.custom_imports.imports == ['mmssl_ext']
    assert cfg.model.memory_bank.num_classes == cfg.model.head.num_classes \
        == cfg.custom_hooks[0].num_clusters
    assert cfg.custom_hooks[0].init_memory
    assert not cfg.model_wrapper_cfg.broadcast_buffers
    _build_hooks(cfg)
    if 'in1k' in path:
        assert cfg.model.memory_bank.length == 1281167
        assert cfg.model.memory_bank.feat_dim == 256


@pytest.mark.parametrize('path', _configs('deepcluster'), ids=osp.basename)
def test_deepcluster(path):
    cfg = Config.fromfile(path)
    assert cfg.default_scope == 'mmpretrain'
    assert cfg.custom_imports.imports == ['mmssl_ext']
    assert cfg.model.head.num_classes == cfg.custom_hooks[0].num_clusters
    _build_hooks(cfg)
    assert cfg.train_dataloader.dataset.type == 'PseudoLabelDataset'
    assert cfg.train_dataloader.sampler.type == 'ClusterBalancedSampler'
    assert cfg.model.backbone.in_channels == (2 if 'sobel' in path else 3)
    sobel = cfg.model.data_preprocessor.type == 'SobelDataPreprocessor'
    assert sobel == ('sobel' in path)
    # MMSelfSup's DeepCluster: balanced sampling, no loss re-weighting
    assert cfg.custom_hooks[0].balanced_sampling
    assert not cfg.custom_hooks[0].reweight
    if 'in1k' in path:
        assert cfg.model.head.num_classes == 10000


@pytest.mark.parametrize('path', [
    p for p in _configs('swav') if 'batched-aug' not in p], ids=osp.basename)
def test_swav(path):
    cfg = Config.fromfile(path)
    assert [h['type'] for h in cfg.custom_hooks] == ['SwAVQueueHook']
    init_default_scope('mmpretrain')
    assert MODELS.build(cfg.model.head.loss).prototypes is not None
    hook_cfg = dict(cfg.custom_hooks[0])
    hook_cfg.pop('priority', None)
    assert isinstance(HOOKS.build(hook_cfg), SwAVQueueHook)
