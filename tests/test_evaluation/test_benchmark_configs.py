"""Classification benchmark configs: every full config parses and builds;
the CPU-sized Fashion-MNIST siblings train (a few iterations, frozen backbone
loaded from an extracted file) and report their metrics."""
import glob
import os
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.runner import Runner

import mmssl_ext  # noqa: F401
from tests.helpers import REPO_ROOT
from tests.test_tools._load_tool import load_tool

CFG_DIR = osp.join(REPO_ROOT, 'configs', 'benchmarks', 'classification')
# Linear / multi-head / semi-supervised configs (kNN configs are tested
# with the kNN benchmark).
FOLDERS = ('imagenet', 'places205', 'inaturalist2018', 'custom_dataset',
           'fashion_mnist')
ALL = sorted(f for d in FOLDERS
             for f in glob.glob(osp.join(CFG_DIR, d, '*.py')))
CPU = [f for f in ALL if '/fashion_mnist/' in f]
# The 18 ImageNet semi-supervised grid configs differ only in lr / head lr
# multiplier: build one model, parse the rest.
SEMI_GRID = [f for f in ALL if '_in1k-' in f and 'pct' in f]
BUILD = [f for f in ALL if f not in SEMI_GRID[1:]]


def _name(path):
    return osp.relpath(path, CFG_DIR)


def test_seed_names_exist():
    names = {_name(f) for f in ALL}
    for expected in [
            'imagenet/resnet50_mhead_8xb32-steplr-90e_in1k.py',
            'places205/resnet50_mhead_8xb32-steplr-28e_places205.py',
            'inaturalist2018/resnet50_mhead_8xb32-steplr-84e_inat18.py',
            'imagenet/resnet50_linear-8xb32-steplr-100e_in1k.py',
            'imagenet/resnet50_head100_4xb64-steplr1e-3-20e_in1k-1pct.py']:
        assert expected in names


@pytest.mark.parametrize('path', SEMI_GRID, ids=_name)
def test_semi_grid(path):
    cfg = Config.fromfile(path)
    name = osp.basename(path)
    mult = int(name.split('_head')[1].split('_')[0])
    lr = float(name.split('steplr')[1].split('-20e')[0])
    assert cfg.optim_wrapper.optimizer.lr == pytest.approx(lr)
    assert cfg.optim_wrapper.paramwise_cfg.custom_keys['head'] == dict(
        lr_mult=mult)
    pct = name.split('in1k-')[1].split('pct')[0]
    # MMSelfSup's file names (imagenet_1percent / imagenet_10percent)
    expected = 'train_1percent.txt' if pct == '1' else 'train_10pct.txt'
    assert cfg.train_dataloader.dataset.ann_file.endswith(expected)
    assert cfg.train_cfg.max_epochs == 20
    # MMSelfSup's imagenet_1percent / imagenet_10percent base configs
    assert cfg.optim_wrapper.optimizer.weight_decay == (
        5e-4 if pct == '1' else 1e-4)
    assert cfg.train_dataloader.batch_size == 64
    assert cfg.param_scheduler[0].milestones == [12, 16]
    assert cfg.param_scheduler[0].gamma == 0.2


MHEAD_FULL = [f for f in ALL if 'mhead' in f and '/fashion_mnist/' not in f]


@pytest.mark.parametrize('path', MHEAD_FULL, ids=_name)
def test_mhead_recipe_is_mmselfsup(path):
    """MMSelfSup's multi-head configs: fixed-kernel pooling, SyncBN heads
    without affine, Nesterov SGD lr 0.01 wd 1e-4 (none on norms), 8 x 32;
    ImageNet's training images get colour jitter and PCA lighting noise,
    Places205's are resized, centre-cropped to 256 and cropped to 224."""
    cfg = Config.fromfile(path)
    assert cfg.model.neck.pool_type == 'specified'
    assert cfg.model.head.norm_cfg == dict(type='SyncBN', momentum=0.1,
                                           affine=False)
    opt = cfg.optim_wrapper.optimizer
    assert (opt.type, opt.lr, opt.momentum, opt.weight_decay,
            opt.nesterov) == ('SGD', 0.01, 0.9, 1e-4, True)
    assert cfg.optim_wrapper.paramwise_cfg.norm_decay_mult == 0.0
    assert cfg.train_dataloader.batch_size == 32
    steps = [t['type'] for t in cfg.train_dataloader.dataset.pipeline]
    if '/imagenet/' in path:
        assert steps == ['LoadImageFromFile', 'RandomResizedCrop',
                         'RandomFlip', 'ColorJitter', 'Normalize',
                         'Lighting', 'PackInputs']
    elif '/places205/' in path:
        assert steps == ['LoadImageFromFile', 'ResizeEdge', 'CenterCrop',
                         'RandomCrop', 'RandomFlip', 'PackInputs']
    elif '/inaturalist2018/' in path:
        assert steps == ['LoadImageFromFile', 'RandomResizedCrop',
                         'RandomFlip', 'PackInputs']


def test_imagenet_mhead_lighting_is_the_reference_noise():
    """The Lighting step adds MMSelfSup's PCA noise (RGB eigenvectors,
    eigenvalues of [0, 1] images) to the float BGR [0, 255] image: for a
    fixed alpha the added colour is 255 * (eigvec_rgb @ (alpha * eigval)),
    reversed to BGR, with nothing clipped."""
    import numpy as np
    from mmpretrain.registry import TRANSFORMS
    init_default_scope('mmpretrain')
    cfg = Config.fromfile(osp.join(
        CFG_DIR, 'imagenet', 'resnet50_mhead_8xb32-steplr-90e_in1k.py'))
    lighting = TRANSFORMS.build(cfg.train_dataloader.dataset.pipeline[5])
    eigval = np.array([0.2175, 0.0188, 0.0045])
    eigvec_rgb = np.array([[-0.5675, 0.7192, 0.4009],
                           [-0.5808, -0.0045, -0.8140],
                           [-0.5836, -0.6948, 0.4203]])
    img = np.zeros((2, 2, 3), np.float32)   # black: noise must not wrap
    np.random.seed(3)
    out = lighting(dict(img=img.copy()))['img']
    np.random.seed(3)
    alpha = np.random.normal(0, 0.1, 3)
    rgb = 255 * eigvec_rgb @ (alpha * eigval)
    np.testing.assert_allclose(out[0, 0], rgb[::-1], rtol=1e-3)
    assert out.dtype == np.float32 and out.min() < 0


@pytest.mark.parametrize('path', BUILD, ids=_name)
def test_config_builds(path):
    from mmpretrain.registry import MODELS
    cfg = Config.fromfile(path)
    assert cfg.custom_imports['imports'] == ['mmssl_ext']
    init_default_scope('mmpretrain')
    model_cfg = cfg.model.copy()
    model_cfg.setdefault('data_preprocessor', cfg.get('data_preprocessor'))
    model = MODELS.build(model_cfg)
    assert model.backbone.init_cfg['type'] == 'Pretrained'
    if 'mhead' in path:
        assert type(model.head).__name__ == 'MultiClsHead'
        assert cfg.val_evaluator['type'] == 'MultiHeadAccuracy'
    if 'sobel' in path:
        assert cfg.data_preprocessor['type'] == 'SobelClsDataPreprocessor'
        assert model.backbone.conv1.in_channels == 2


def _backbone_file(tmp_path, backbone_cfg):
    """A random backbone of the config's own architecture, saved with the
    ``backbone.`` prefix like an extracted pretraining checkpoint."""
    from mmpretrain.registry import MODELS
    init_default_scope('mmpretrain')
    backbone_cfg = dict(backbone_cfg)
    backbone_cfg.pop('init_cfg', None)
    net = MODELS.build(backbone_cfg)
    path = tmp_path / 'backbone.pth'
    torch.save({'state_dict': {f'backbone.{k}': v
                               for k, v in net.state_dict().items()}}, path)
    return str(path), net.state_dict()


@pytest.mark.parametrize('path', CPU, ids=_name)
def test_cpu_sibling_trains(path, fmnist_tiny, tmp_path):
    cfg = Config.fromfile(path)
    ckpt, ref_state = _backbone_file(tmp_path, cfg.model.backbone)
    cfg.model.backbone.init_cfg.checkpoint = ckpt
    cfg.work_dir = str(tmp_path / 'work')
    for split in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[split].dataset.data_root = fmnist_tiny
        cfg[split].num_workers = 0
        cfg[split].persistent_workers = False
    if 'pct' in path:
        tool = load_tool('dataset_converters/make_semi_supervised_subset.py')
        sub = tmp_path / 'train_10pct.txt'
        tool.main(['per-class', '--ann-file',
                   osp.join(fmnist_tiny, 'meta', 'train.txt'), '--fraction',
                   '0.1', '--out', str(sub)])
        cfg.train_dataloader.dataset.ann_file = str(sub)
    cfg.train_dataloader.batch_size = 32
    cfg.train_cfg = dict(by_epoch=True, max_epochs=1, val_interval=1)
    cfg.param_scheduler = []
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=1)
    cfg.default_hooks.logger = dict(type='LoggerHook', interval=2)
    cfg.log_level = 'WARNING'
    runner = Runner.from_cfg(cfg)
    runner.train()
    metrics = runner.val_loop.run()
    backbone_state = runner.model.backbone.state_dict()
    if 'pct' in path:   # fine-tuning: the backbone moves
        assert 'accuracy/top1' in metrics
        assert not torch.equal(backbone_state['conv1.weight'],
                               ref_state['conv1.weight'])
        return
    # linear protocols: frozen backbone == the extracted weights
    for k, v in ref_state.items():
        assert torch.equal(backbone_state[k], v), k
    if 'mhead' in path:
        assert {f'multi_head/feat{i}_top1' for i in range(1, 6)} <= set(
            metrics)
    else:
        assert 'accuracy/top1' in metrics
    assert os.path.isfile(osp.join(cfg.work_dir, 'epoch_1.pth'))


def test_lars_and_layer_decay_optimizers_build():
    """mmpretrain's LARS (our LARS linear config) and layer-wise lr decay
    constructor work on our classifiers (ResNetFeats inherits
    ResNet.get_layer_depth, which supports ResNet-50/101/152)."""
    import mmpretrain.engine  # noqa: F401  (registers LARS / constructor)
    from mmengine.optim import build_optim_wrapper
    from mmpretrain.registry import MODELS
    init_default_scope('mmpretrain')
    cfg = Config.fromfile(osp.join(
        CFG_DIR, 'imagenet', 'resnet50_linear-8xb512-lars-coslr-90e_in1k.py'))
    tiny = Config.fromfile(osp.join(
        CFG_DIR, 'fashion_mnist',
        'resnet18-w8_mhead_1xb64-steplr-2e_fashion-mnist.py'))
    model = MODELS.build(tiny.model)
    wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    assert type(wrapper.optimizer).__name__ == 'LARS'
    decay = dict(type='OptimWrapper',
                 optimizer=dict(type='AdamW', lr=1e-3, weight_decay=0.05),
                 constructor='LearningRateDecayOptimWrapperConstructor',
                 paramwise_cfg=dict(layer_decay_rate=0.5))
    # mmpretrain's ResNet.get_layer_depth knows depths 50/101/152 only.
    r50 = Config.fromfile(osp.join(
        CFG_DIR, 'imagenet', 'resnet50_mhead_8xb32-steplr-90e_in1k.py'))
    r50.model.backbone.frozen_stages = -1
    r50.model.head.num_classes = 10
    wrapper = build_optim_wrapper(MODELS.build(r50.model), decay)
    scales = {g['lr_scale'] for g in wrapper.optimizer.param_groups}
    assert len(scales) > 2   # stem, stages and head get different scales
