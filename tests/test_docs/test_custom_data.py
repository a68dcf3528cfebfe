"""docs/custom_data.md end to end at tiny size: pretrain MAE, SimCLR and
RotationPred on an unlabelled folder, fine-tune a ResNet (SimCLR backbone,
frozen stem + 2 stages, backbone lr x0.1) and a ViT (MAE backbone, layer-wise
lr decay) on a labelled class-subfolder set, test both; the commands are the
page's own blocks, with the two substitutions the page states (tiny-cpu
configs, one CPU process)."""
import json
import os
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

import mmssl_ext  # noqa: F401
from mmssl_ext.compat.checkpoint import load_checkpoint_file
from tests.helpers import REPO_ROOT
from tests.test_docs.snippets import (DROP_GPUS, TINY_CONFIG, blocks_for,
                                      make_sandbox, run_block, sandbox_env)

FT_DIR = 'configs/benchmarks/classification/custom_dataset'
RESNET_FT = f'{FT_DIR}/resnet50_ft-frozen2-8xb32-steplr-30e_custom-dataset.py'
VIT_FT = f'{FT_DIR}/vit-base-p16_ft-8xb128-coslr-100e_custom-dataset.py'
CLASSES = ('cat', 'dog', 'fox')
FROZEN = ('conv1.', 'bn1.', 'layer1.', 'layer2.')   # frozen_stages=2


def _write_images(root):
    """16 unlabelled images in nested folders; 3 classes x (8 train + 4 val)
    labelled ones whose colour depends on the class."""
    import cv2
    rng = np.random.default_rng(0)
    pool = osp.join(root, 'data', 'custom_dataset')
    for i in range(16):
        sub = osp.join(pool, *(['a'] if i % 2 else ['b', 'c']))
        os.makedirs(sub, exist_ok=True)
        img = rng.integers(0, 256, (40 + i, 36, 3), dtype=np.uint8)
        cv2.imwrite(osp.join(sub, f'{i:04d}.png'), img)
    for split, n in (('train', 8), ('val', 4)):
        for c, name in enumerate(CLASSES):
            d = osp.join(root, 'data', 'custom_labeled', split, name)
            os.makedirs(d)
            for i in range(n):
                img = rng.integers(0, 60, (36, 36, 3), dtype=np.uint8)
                img[..., c] += 180
                cv2.imwrite(osp.join(d, f'{i}.png'), img)


def _state(path):
    return load_checkpoint_file(path)['state_dict']


def _last(root, work_dir):
    with open(osp.join(root, 'work_dirs', work_dir, 'last_checkpoint')) as f:
        return f.read().strip()


def _built_backbone(cfg_path, checkpoint):
    """The fine-tuning model as the config builds it, after init_weights()
    (what the Runner does before training) from ``checkpoint``."""
    from mmpretrain.registry import MODELS
    init_default_scope('mmpretrain')
    cfg = Config.fromfile(osp.join(REPO_ROOT, cfg_path))
    cfg.model.backbone.init_cfg.checkpoint = checkpoint
    model_cfg = cfg.model.copy()
    model_cfg.setdefault('data_preprocessor', cfg.get('data_preprocessor'))
    model = MODELS.build(model_cfg)
    model.init_weights()
    return cfg, model


def _assert_backbone_loaded(model, ckpt_state, allowed_missing=()):
    mine = model.backbone.state_dict()
    theirs = {k[len('backbone.'):]: v for k, v in ckpt_state.items()
              if k.startswith('backbone.')}
    shared = sorted(set(mine) & set(theirs))
    missing = sorted(set(mine) - set(theirs))
    assert missing == sorted(allowed_missing), missing
    assert len(shared) > 10
    for k in shared:
        assert torch.equal(mine[k], theirs[k].to(mine[k].dtype)), k


@pytest.fixture(scope='module')
def walked(tmp_path_factory, request):
    """The page's three command blocks, run in order in one sandbox."""
    import shutil
    assert shutil.which('mim', path=sandbox_env()['PATH']), (
        'the documented commands need openmim: pip install -e ".[mim]" '
        '(make setup installs it)')
    root = make_sandbox(str(tmp_path_factory.mktemp('custom_data')))
    _write_images(root)
    blocks = {b.marker: b for b in
              blocks_for('tests/test_docs/test_custom_data.py::'
                         'test_documented_sequence_runs')}
    rewrites = [TINY_CONFIG, DROP_GPUS]
    for name in ('custom-data-pretrain', 'custom-data-finetune',
                 'custom-data-test'):
        run_block(blocks[name], root, rewrites, timeout=600)
    return root


def test_documented_sequence_runs(walked):
    root = walked
    for wd in ('mae_custom', 'simclr_custom', 'rotation_custom',
               'simclr_custom_ft', 'mae_custom_ft'):
        assert osp.isfile(_last(root, wd)), wd
    for wd in ('simclr_custom_ft', 'mae_custom_ft'):
        metrics = json.load(open(osp.join(root, 'work_dirs', wd, 'test',
                                          'metrics.json')))
        assert 0 <= metrics['accuracy/top1'] <= 100, metrics


def test_frozen_stages_are_the_pretrained_tensors(walked):
    """After fine-tuning, the stem and stages 1-2 are exactly SimCLR's
    (parameters and BN statistics: they were loaded, then frozen); stage 4
    has moved."""
    pre = _state(_last(walked, 'simclr_custom'))
    ft = _state(_last(walked, 'simclr_custom_ft'))
    frozen = [k for k in ft if k.startswith('backbone.')
              and k[len('backbone.'):].startswith(FROZEN)]
    assert len(frozen) > 20
    for k in frozen:
        assert torch.equal(ft[k], pre[k]), f'{k} changed or was not loaded'
    assert not torch.equal(ft['backbone.layer4.1.conv2.weight'],
                           pre['backbone.layer4.1.conv2.weight'])


@pytest.mark.parametrize('pretrain,cfg_path,missing', [
    ('simclr_custom', RESNET_FT, ()),
    ('rotation_custom', RESNET_FT, ()),
    ('mae_custom', VIT_FT, ('ln2.weight', 'ln2.bias')),
])
def test_pretrained_backbone_is_loaded_tensor_by_tensor(walked, pretrain,
                                                        cfg_path, missing):
    ckpt = _last(walked, pretrain)
    tiny = cfg_path[:-3] + '_tiny-cpu.py'
    _, model = _built_backbone(tiny, ckpt)
    _assert_backbone_loaded(model, _state(ckpt), missing)


def test_resnet_finetune_lr_multipliers():
    """paramwise_cfg: every trainable backbone parameter at 0.1x the head's
    lr; exactly the stem and stages 1-2 are frozen (no gradient)."""
    from mmengine.optim import build_optim_wrapper
    from mmpretrain.registry import MODELS
    init_default_scope('mmpretrain')
    cfg = Config.fromfile(osp.join(REPO_ROOT, RESNET_FT[:-3] +
                                   '_tiny-cpu.py'))
    cfg.model.backbone.init_cfg = None
    model = MODELS.build(cfg.model)
    model.train()
    groups = build_optim_wrapper(model,
                                 cfg.optim_wrapper).optimizer.param_groups
    names = {id(p): n for n, p in model.named_parameters()}
    lrs = {names[id(p)]: g['lr'] for g in groups for p in g['params']
           if p.requires_grad}
    frozen = {n for n, p in model.named_parameters() if not p.requires_grad}
    assert frozen and all(n[len('backbone.'):].startswith(FROZEN)
                          for n in frozen)
    assert 'backbone.layer2.1.conv2.weight' in frozen
    backbone = [lr for n, lr in lrs.items() if n.startswith('backbone.')]
    head = [lr for n, lr in lrs.items() if n.startswith('head.')]
    assert len(backbone) > 10 and len(head) == 2
    assert backbone == pytest.approx([0.001] * len(backbone))
    assert head == pytest.approx([0.01, 0.01])


def test_settings_block_is_the_config(request):
    """The python block of the page shows the ResNet config's own settings."""
    block, = blocks_for(request)
    cfg = Config.fromfile(osp.join(REPO_ROOT, RESNET_FT))
    shown = {}
    exec(block.text, {'dict': dict, 'pretrained': cfg.pretrained,
                      'num_classes': cfg.num_classes}, shown)
    assert set(shown) == {'model', 'optim_wrapper'}
    full = cfg.to_dict()
    for key, value in shown.items():
        _assert_subset(value, full[key], key)


def _assert_subset(shown, actual, where):
    if isinstance(shown, dict):
        for k, v in shown.items():
            assert k in actual, f'{where}.{k} is not in the config'
            _assert_subset(v, actual[k], f'{where}.{k}')
    elif isinstance(shown, (list, tuple)):
        assert list(shown) == list(actual), (
            f'{where}: page {shown!r}, config {actual!r}')
    else:
        assert shown == actual, f'{where}: page {shown!r}, config {actual!r}'


def test_layout_block_is_what_the_test_writes(request, tmp_path):
    """The ```text layout block names the two folders the configs read."""
    block, = blocks_for(request)
    assert 'data/custom_dataset/' in block.text
    assert 'data/custom_labeled/' in block.text
    for split in ('train/', 'val/'):
        assert split in block.text
    pre = Config.fromfile(osp.join(
        REPO_ROOT, 'configs/simclr/'
        'simclr_resnet50_16xb256-coslr-200e_custom-dataset.py'))
    assert pre.train_dataloader.dataset.data_root == 'data/custom_dataset/'
    for path in (RESNET_FT, VIT_FT):
        cfg = Config.fromfile(osp.join(REPO_ROOT, path))
        assert cfg.train_dataloader.dataset.data_root == 'data/custom_labeled/'
        assert cfg.train_dataloader.dataset.data_prefix == 'train'
        assert cfg.test_dataloader.dataset.data_prefix == 'val'
