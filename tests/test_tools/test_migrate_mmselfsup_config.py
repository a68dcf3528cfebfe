"""tools/misc/migrate_mmselfsup_config.py on configs written in MMSelfSup's
0.x and 1.x formats (tests/test_tools/migrate_fixtures): every output parses,
builds its model and dataset and trains on a tiny folder; the conventions
that would train differently if copied literally are checked against
re-implementations of MMSelfSup's behaviour written here."""
import glob
import math
import os
import os.path as osp
import re
import shlex
import subprocess
import sys

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config

import mmssl_ext  # noqa: F401
from tests.helpers import REPO_ROOT
from tests.test_tools._load_tool import load_tool

tool = load_tool('misc/migrate_mmselfsup_config.py')
FIXTURES = osp.join(osp.dirname(__file__), 'migrate_fixtures')
CONFIGS = sorted(
    p for p in glob.glob(osp.join(FIXTURES, 'v*', '**', '*.py'),
                         recursive=True)
    if '_base_' not in p and 'untranslatable' not in p)
MEAN = [123.675, 116.28, 103.53]
STD = [58.395, 57.12, 57.375]


def _rel(path):
    return osp.relpath(path, FIXTURES)


def write_tiny_folder(root) -> None:
    """16 coloured 32-px images under ``root``/data/tiny (the fixtures'
    paths), in class subfolders c0/c1, with meta/train.txt and
    meta/train_10pct.txt ("path label" lines)."""
    import pathlib
    root = pathlib.Path(root)
    rng = np.random.default_rng(0)
    lines = []
    for i in range(16):
        folder = root / 'data' / 'tiny' / 'train' / f'c{i % 2}'
        folder.mkdir(parents=True, exist_ok=True)
        img = rng.integers(0, 255, (32, 32, 3), dtype=np.uint8)
        cv2.imwrite(str(folder / f'{i}.png'), img)
        lines.append(f'c{i % 2}/{i}.png {i % 2}')
    meta = root / 'data' / 'tiny' / 'meta'
    meta.mkdir()
    (meta / 'train.txt').write_text('\n'.join(lines) + '\n')
    # a '10 %' list of all 16 (the name is what the fixture uses)
    (meta / 'train_10pct.txt').write_text('\n'.join(lines) + '\n')


@pytest.fixture
def tiny_data(tmp_path, monkeypatch):
    """:func:`write_tiny_folder` in ``tmp_path``, the working directory."""
    monkeypatch.chdir(tmp_path)
    write_tiny_folder(tmp_path)
    return tmp_path


def _migrate(old, tmp_path, check=True):
    new = str(tmp_path / ('new_' + osp.basename(old)))
    rc = tool.main([old, new] + (['--check'] if check else []))
    return rc, new


def _cpu_sized(cfg, work_dir):
    """What only a GPU machine runs: AMP, SyncBN, TensorBoard."""
    cfg.work_dir = work_dir
    if cfg.optim_wrapper.get('type') == 'AmpOptimWrapper':
        cfg.optim_wrapper.type = 'OptimWrapper'
        cfg.optim_wrapper.pop('loss_scale', None)
    text = re.sub(r"'SyncBN'", "'BN'", cfg.pretty_text)
    cfg = Config.fromstring(text, '.py')
    cfg.visualizer = dict(type='UniversalVisualizer',
                          vis_backends=[dict(type='LocalVisBackend')])
    cfg.log_level = 'WARNING'
    cfg.default_hooks.logger = dict(type='LoggerHook', interval=1)
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=1)
    cfg.env_cfg.dist_cfg = dict(backend='gloo')
    cfg.randomness = dict(seed=0)
    return cfg


@pytest.mark.parametrize('old', CONFIGS, ids=_rel)
def test_output_parses_builds_and_trains(old, tiny_data):
    from mmengine.registry import init_default_scope
    from mmengine.runner import Runner
    from mmpretrain.registry import DATASETS, MODELS
    rc, new = _migrate(old, tiny_data)
    assert rc == 0, 'untranslated keys in a fixture'
    cfg = Config.fromfile(new)
    assert cfg.default_scope == 'mmpretrain'
    assert cfg.custom_imports.imports == ['mmssl_ext']
    init_default_scope('mmpretrain')
    if 'svm' in old:  # SVM data comes from svm_voc07.py's command line
        assert 'train_dataloader' not in cfg
        return
    if 'model' not in cfg:  # kNN data config
        for key in ('knn_train_dataloader', 'knn_test_dataloader'):
            dataset = DATASETS.build(cfg[key].dataset)
            assert len(dataset) == 16
            assert dataset[0]['inputs'].shape == (3, 32, 32)
        if '/v0/' in old:  # 0.x: Normalize -> the data preprocessor
            assert cfg.data_preprocessor.mean == MEAN
        return
    MODELS.build(cfg.model)
    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    assert len(dataset) == 16
    # (pseudo-labels come from DeepClusterHook: read the wrapped dataset)
    getattr(dataset, 'dataset', dataset)[0]
    cfg = _cpu_sized(cfg, str(tiny_data / 'work'))
    runner = Runner.from_cfg(cfg)
    runner.train()
    assert runner.iter >= 2
    assert osp.isfile(str(tiny_data / 'work' / 'epoch_1.pth'))


# ------------------------------------------------------------ conventions
def _load(name, tmp_path):
    rc, new = _migrate(osp.join(FIXTURES, name), tmp_path)
    assert rc == 0
    return Config.fromfile(new)


def _views(cfg):
    pipeline = cfg.train_dataloader.dataset.pipeline
    multi = [t for t in pipeline if t.type == 'MultiView']
    return multi[0].transforms[0] if multi else pipeline


@pytest.mark.parametrize('version', ['v0', 'v1'])
def test_moco_momentum_normalisation_and_transforms(version, tmp_path):
    cfg = _load(f'{version}/mocov2_resnet18-tiny_1xb8-coslr-1e_tiny.py',
                tmp_path)
    # MMSelfSup's momentum 0.999 is tau; mmpretrain's momentum is 1 - tau
    assert cfg.model.type == 'MoCo'
    assert cfg.model.momentum == pytest.approx(0.001, abs=1e-12)
    # 0.x img_norm_cfg is for 0-1 RGB tensors: x255, images decoded as BGR
    pre = cfg.model.data_preprocessor
    assert pre.type == 'SelfSupDataPreprocessor'
    assert list(pre.mean) == pytest.approx(MEAN)
    assert list(pre.std) == pytest.approx(STD)
    assert pre.get('to_rgb', False) or pre.get('bgr_to_rgb', False)
    # MMSelfSup's ResNet counts the stem as index 0
    assert list(cfg.model.backbone.out_indices) == [3]
    views = {t.type: t for t in _views(cfg)}
    assert views['RandomResizedCrop'].scale == 32
    assert tuple(views['RandomResizedCrop'].crop_ratio_range) == (0.2, 1.0)
    assert views['RandomApply'].prob == 0.8
    assert views['RandomApply'].transforms[0].type == 'ColorJitter'
    gray = views['RandomGrayscale']
    assert gray.prob == 0.2 and gray.keep_channels
    assert tuple(gray.channel_weights) == (0.114, 0.587, 0.2989)
    blur = views['GaussianBlur']
    assert tuple(blur.magnitude_range) == (0.1, 2.0)
    assert blur.magnitude_std == 'inf' and blur.prob == 0.5
    assert views['RandomFlip'].prob == 0.5
    assert cfg.train_dataloader.dataset.pipeline[-1].type == 'PackInputs'
    assert cfg.default_hooks.checkpoint.max_keep_ckpts == 3
    if version == 'v0':
        assert cfg.env_cfg.cudnn_benchmark is True
        assert cfg.env_cfg.mp_cfg == dict(mp_start_method='fork',
                                          opencv_num_threads=0)
        assert cfg.env_cfg.dist_cfg == dict(backend='nccl')
        assert cfg.param_scheduler == [dict(
            type='CosineAnnealingLR', T_max=1, by_epoch=True, begin=0,
            end=1, eta_min=0.)]
        assert cfg.train_cfg == dict(type='EpochBasedTrainLoop',
                                     max_epochs=1)
    else:
        assert views['Solarize'].thr == 128 and views['Solarize'].prob == 0.1
        assert cfg.visualizer.type == 'UniversalVisualizer'


def test_grayscale_and_blur_match_mmselfsup(tmp_path):
    """The translated transforms do what 0.x's torchvision ones did."""
    from mmpretrain.registry import TRANSFORMS
    cfg = _load('v0/mocov2_resnet18-tiny_1xb8-coslr-1e_tiny.py', tmp_path)
    views = {t.type: t for t in _views(cfg)}
    rgb = np.random.default_rng(1).integers(0, 255, (8, 8, 3), np.uint8)
    gray = TRANSFORMS.build(dict(views['RandomGrayscale'], prob=1.0))
    out = gray.transform(dict(img=rgb[..., ::-1].copy()))['img']  # BGR in
    # torchvision's rgb_to_grayscale: 0.2989 R + 0.587 G + 0.114 B
    ref = (0.2989 * rgb[..., 0] + 0.587 * rgb[..., 1] +
           0.114 * rgb[..., 2])
    assert out.shape == (8, 8, 3)
    for c in range(3):
        assert np.abs(out[..., c].astype(float) - ref).max() <= 1.0
    # 0.x GaussianBlur: sigma ~ U(sigma_min, sigma_max) with probability p
    blur = TRANSFORMS.build(dict(views['GaussianBlur'], prob=1.0))
    np.random.seed(0)
    sigmas = np.array([blur.random_magnitude() for _ in range(400)])
    assert blur.transform(dict(img=rgb.copy()))['img'].shape == rgb.shape
    assert sigmas.min() >= 0.1 and sigmas.max() <= 2.0
    assert abs(sigmas.mean() - 1.05) < 0.1  # uniform on [0.1, 2]


def _mmselfsup_param_groups(model, optimizer):
    """MMSelfSup 0.x's DefaultOptimizerConstructor: every regex of
    paramwise_options that matches a parameter name applies, in order;
    `*_mult` keys multiply the optimizer's value."""
    base = {k: v for k, v in optimizer.items()
            if k not in ('type', 'paramwise_options')}
    out = {}
    for name, param in model.named_parameters():
        if not param.requires_grad:
            continue
        group = dict(lr=base['lr'], weight_decay=base.get('weight_decay'))
        for regex, options in optimizer['paramwise_options'].items():
            if re.search(regex, name):
                for key, value in options.items():
                    if key.endswith('_mult'):
                        key, value = key[:-5], base[key[:-5]] * value
                    group[key] = value
        out[name] = group
    return out


PARAMWISE = ['v0/simclr_resnet18-tiny_1xb8-lars-coslr-1e_tiny.py',
             'v0/deepcluster-sobel_resnet18-tiny_1xb8-steplr-1e_tiny.py',
             'v0/odc_resnet18-tiny_1xb8-steplr-1e_tiny.py',
             'v0/relative-loc_resnet18-tiny_1xb8-steplr-1e_tiny.py',
             'v0/mae_vit-tiny-p8_1xb8-coslr-1e-fp16_tiny.py',
             'v0/benchmarks/resnet18-tiny_head10_1xb8-steplr1e-1-1e_tiny-'
             '10pct.py']


@pytest.mark.parametrize('name', PARAMWISE)
def test_paramwise_regexes_select_the_same_parameters(name, tmp_path):
    from mmengine.optim import build_optim_wrapper
    from mmengine.registry import init_default_scope
    from mmpretrain.registry import MODELS
    init_default_scope('mmpretrain')
    old = Config.fromfile(osp.join(FIXTURES, name))
    cfg = _load(name, tmp_path)
    model_cfg = cfg.model
    if 'memory_bank' in model_cfg:
        model_cfg.memory_bank.length = 16
    model = MODELS.build(model_cfg)
    wrapper_cfg = dict(cfg.optim_wrapper, type='OptimWrapper')
    wrapper_cfg.pop('loss_scale', None)
    wrapper = build_optim_wrapper(model, wrapper_cfg)
    by_param = {}
    for group in wrapper.optimizer.param_groups:
        for param in group['params']:
            by_param[id(param)] = group
    expected = _mmselfsup_param_groups(model, old.optimizer)
    assert expected
    keys = set()
    for name_, param in model.named_parameters():
        if name_ not in expected:
            continue
        group = by_param[id(param)]
        for key, value in expected[name_].items():
            keys.add(key)
            if value is None:
                continue
            assert group.get(key, None if key not in ('lars_exclude', ) else
                             False) == pytest.approx(value), (name_, key)
    # every option of paramwise_options was checked somewhere
    for options in old.optimizer.paramwise_options.values():
        assert set(k[:-5] if k.endswith('_mult') else k
                   for k in options) <= keys
    custom = cfg.optim_wrapper.paramwise_cfg.custom_keys
    if 'deepcluster' in name or 'odc' in name:
        assert custom == {'head.': dict(momentum=0.)}  # our convention
    if 'relative-loc' in name:
        assert custom == {'head.': dict(decay_mult=5.0),
                          'neck.': dict(decay_mult=5.0)}


def _lrs(param_scheduler, epochs, iters_per_epoch, base_lr):
    """The lr of every iteration under mmengine's ParamSchedulerHook."""
    from mmengine.optim import OptimWrapper
    from mmengine.registry import PARAM_SCHEDULERS
    opt = OptimWrapper(torch.optim.SGD([torch.zeros(1, requires_grad=True)],
                                       lr=base_lr))
    schedulers = [PARAM_SCHEDULERS.build(
        dict(s), default_args=dict(optimizer=opt,
                                   epoch_length=iters_per_epoch))
        for s in param_scheduler]
    lrs = []
    for _ in range(epochs):
        for _ in range(iters_per_epoch):
            lrs.append(opt.param_groups[0]['lr'])
            for s in schedulers:
                if not s.by_epoch:
                    s.step()
        for s in schedulers:
            if s.by_epoch:
                s.step()
    return np.array(lrs)


def _mmcv1_lrs(lr_config, epochs, iters_per_epoch, base_lr):
    """mmcv-1's LrUpdaterHook (by_epoch): the policy's lr set at each epoch
    start, the warmup factor multiplying it per iteration."""
    warmup_iters = lr_config.get('warmup_iters', 0)
    if lr_config.get('warmup_by_epoch'):
        warmup_iters *= iters_per_epoch
    ratio = lr_config.get('warmup_ratio', 0.1)
    lrs = []
    for epoch in range(epochs):
        if lr_config['policy'] == 'CosineAnnealing':
            min_lr = lr_config.get('min_lr', 0.)
            regular = min_lr + (base_lr - min_lr) * (
                1 + math.cos(math.pi * epoch / epochs)) / 2
        else:
            steps = lr_config['step']
            regular = base_lr * lr_config.get('gamma', 0.1) ** sum(
                epoch >= s for s in steps)
        for i in range(iters_per_epoch):
            it = epoch * iters_per_epoch + i
            lr = regular
            if lr_config.get('warmup') == 'linear' and it < warmup_iters:
                k = (1 - it / warmup_iters) * (1 - ratio)
                lr = regular * (1 - k)
            lrs.append(lr)
    return np.array(lrs)


@pytest.mark.parametrize('warmup_epochs,epochs,policy', [
    (2, 10, 'CosineAnnealing'), (1, 4, 'CosineAnnealing'),
    (5, 12, 'step')])
def test_warmup_on_a_whole_run_schedule(warmup_epochs, epochs, policy):
    """mmcv-1 multiplies the warmup onto a schedule that spans the whole run
    (the cosine does not restart after the warmup)."""
    lr_config = dict(policy=policy, warmup='linear',
                     warmup_iters=warmup_epochs, warmup_ratio=1e-3,
                     warmup_by_epoch=True)
    if policy == 'step':
        lr_config.update(step=[6, 9], gamma=0.1)
    else:
        lr_config['min_lr'] = 0.
    src = dict(optimizer=dict(type='SGD', lr=0.3),
               lr_config=lr_config,
               runner=dict(type='EpochBasedRunner', max_epochs=epochs))
    migration = tool.Migration(src)
    out = migration.run()
    assert not migration.problems
    got = _lrs(out['param_scheduler'], epochs, 3, 0.3)
    ref = _mmcv1_lrs(lr_config, epochs, 3, 0.3)
    warm = warmup_epochs * 3
    # after the warmup: identical (no restart of the cosine)
    np.testing.assert_allclose(got[warm:], ref[warm:], rtol=1e-9)
    # during it: mmengine's LinearLR reaches 1 at step end - 1, mmcv-1 at
    # end: the slopes differ by one step in warmup_iters
    rel = np.abs(got[:warm] - ref[:warm]) / ref[:warm]
    assert rel.max() <= 1 / (warm - 1) + 1e-9
    # a chain that restarts the cosine after the warmup would be far off
    if policy == 'CosineAnnealing':
        restarted = [out['param_scheduler'][0],
                     dict(out['param_scheduler'][1], begin=warmup_epochs,
                          T_max=epochs - warmup_epochs)]
        off = _lrs(restarted, epochs, 3, 0.3)
        assert np.abs(off[warm:] - ref[warm:]).max() > 0.01


def test_byol_accumulation_fp16_and_hook(tmp_path):
    cfg = _load('v0/byol_resnet18-tiny_1xb4-accum2-coslr-1e_tiny.py',
                tmp_path)
    # 0.x moved the target once every 2 iterations with tau = 0.99;
    # mmpretrain moves it every forward: two moves with tau' = 0.99 ** 0.5
    tau = 1 - cfg.model.base_momentum
    assert tau ** 2 == pytest.approx(0.99, abs=1e-12)
    # CosineEMA anneals tau to 1 itself: the BYOLHook is not needed
    assert not any(h.type == 'MomentumUpdateHook'
                   for h in cfg.get('custom_hooks', []))
    wrapper = cfg.optim_wrapper
    assert wrapper.type == 'AmpOptimWrapper' and wrapper.loss_scale == 512.
    assert wrapper.accumulative_counts == 2
    assert wrapper.clip_grad == dict(max_norm=10.0)
    assert wrapper.optimizer.type == 'LARS'
    assert cfg.model.head.loss == dict(type='CosineSimilarityLoss')
    views = {t.type: t for t in cfg.train_dataloader.dataset.pipeline[1]
             .transforms[1]}
    assert views['Solarize'].thr == 128 and views['Solarize'].prob == 0.2
    assert views['RandomResizedCrop'].interpolation == 'bicubic'


def test_ema_interval_equals_one_move_per_step():
    """k EMA moves with tau ** (1/k) towards the same online weights equal
    one move with tau (what 0.x did per optimizer step)."""
    tau, k = 0.99, 4
    target, online = torch.randn(10), torch.randn(10)
    once = tau * target + (1 - tau) * online
    step = tau ** (1 / k)
    moved = target.clone()
    for _ in range(k):
        moved = step * moved + (1 - step) * online
    assert torch.allclose(once, moved, atol=1e-6)


def test_v1_byol_keeps_its_per_forward_momentum(tmp_path):
    cfg = _load('v1/byol_resnet18-tiny_1xb8-coslr-1e_tiny.py', tmp_path)
    assert cfg.model.base_momentum == pytest.approx(0.01, abs=1e-12)
    assert cfg.optim_wrapper.accumulative_counts == 2


def test_momentum_update_hook_becomes_ours():
    src = dict(model=dict(type='MoCo', momentum=0.99,
                          backbone=dict(type='ResNet', depth=18)),
               custom_hooks=[dict(type='MomentumUpdateHook',
                                  end_momentum=0.999)])
    migration = tool.Migration(src)
    out = migration.run()
    assert out['model']['momentum'] == pytest.approx(0.01)
    assert out['custom_hooks'] == [dict(type='MomentumUpdateHook',
                                        end_tau=0.999)]
    # BYOL with another end: our hook drives CosineEMA
    src = dict(model=dict(type='BYOL', base_momentum=0.99),
               custom_hooks=[dict(type='BYOLHook', end_momentum=0.999)])
    out = tool.Migration(src).run()
    assert out['custom_hooks'] == [dict(type='MomentumUpdateHook',
                                        end_tau=0.999,
                                        take_over_builtin=True)]


def test_clustering_conventions(tmp_path):
    cfg = _load('v0/deepcluster-sobel_resnet18-tiny_1xb8-steplr-1e_tiny.py',
                tmp_path)
    assert cfg.model.data_preprocessor.type == 'SobelDataPreprocessor'
    assert cfg.model.backbone.in_channels == 2
    assert cfg.model.neck == dict(type='GlobalAveragePooling')
    assert cfg.model.head == dict(type='ClusterHead', in_channels=64,
                                  num_classes=4)
    loader = cfg.train_dataloader
    assert loader.dataset.type == 'PseudoLabelDataset'
    assert loader.sampler == dict(type='ClusterBalancedSampler')
    assert loader.persistent_workers is False
    hook = cfg.custom_hooks[0]
    assert hook.type == 'DeepClusterHook'
    assert (hook.num_clusters, hook.pca_dim, hook.balanced_sampling,
            hook.reweight, hook.interval) == (4, 8, True, False, 1)
    assert hook.extract_dataloader.batch_size == 8
    extract = [t.type for t in hook.extract_dataloader.dataset.pipeline]
    assert extract == ['LoadImageFromFile', 'ResizeEdge', 'CenterCrop',
                       'PackInputs']
    assert cfg.param_scheduler == [dict(type='MultiStepLR', by_epoch=True,
                                        begin=0, end=1, milestones=[400],
                                        gamma=0.1)]

    cfg = _load('v0/odc_resnet18-tiny_1xb8-steplr-1e_tiny.py', tmp_path)
    assert cfg.train_dataloader.sampler == dict(
        type='ClusterBalancedSampler', replace=True)
    assert cfg.train_dataloader.dataset.type == 'ImageNet'
    init, odc = cfg.custom_hooks
    assert (init.init_memory, init.pca_dim, init.balanced_sampling,
            init.reweight) == (True, -1, False, True)
    assert 'dist_mode' not in odc and odc.type == 'ODCHook'
    assert 'debug' not in cfg.model.memory_bank
    assert cfg.model_wrapper_cfg.broadcast_buffers is False

    cfg = _load('v1/deepcluster_resnet18-tiny_1xb8-steplr-1e_tiny.py',
                tmp_path)
    assert cfg.train_dataloader.dataset.type == 'PseudoLabelDataset'
    assert cfg.train_dataloader.dataset.dataset.type == 'ImageNet'
    assert cfg.train_dataloader.sampler.type == 'ClusterBalancedSampler'
    hook = cfg.custom_hooks[0]
    assert hook.extract_dataloader.dataset.type == 'ImageNet'
    assert 'sampler' not in hook.extract_dataloader
    assert cfg.model.head.type == 'ClusterHead'


@pytest.mark.parametrize('version', ['v0', 'v1'])
def test_pretext_conventions(version, tmp_path):
    cfg = _load(f'{version}/relative-loc_resnet18-tiny_1xb8-steplr-1e_tiny.py',
                tmp_path)
    pipeline = cfg.train_dataloader.dataset.pipeline
    patches = [t for t in pipeline if t.type == 'RelativeLocPatches'][0]
    # 0.x / 1.x: 3x3 cells of crop // 3 px, patches 21 px smaller
    assert (patches.patch_size, patches.crop_size) == (96 // 3 - 21, 96)
    assert pipeline[-1] == dict(type='PackInputs',
                                algorithm_keys=['patch_label'])
    assert cfg.model.data_preprocessor.type == 'RelativeLocDataPreprocessor'
    assert cfg.model.head.type == 'PretextClsHead'
    if version == 'v0':
        assert cfg.param_scheduler[0] == dict(
            type='LinearLR', start_factor=0.1, end_factor=1.0,
            by_epoch=True, begin=0, end=5, convert_to_iter_based=True)
    cfg = _load(f'v0/rotation-pred_resnet18-tiny_1xb4-steplr-1e_tiny.py',
                tmp_path)
    pipeline = cfg.train_dataloader.dataset.pipeline
    assert [t.type for t in pipeline][-2:] == ['RotationViews', 'PackInputs']
    assert pipeline[-1].algorithm_keys == ['rot_label']
    assert cfg.model.data_preprocessor.type == 'RotationPredDataPreprocessor'


def test_npid_and_mae(tmp_path):
    cfg = _load('v0/npid_resnet18-tiny_1xb8-steplr-1e_tiny.py', tmp_path)
    assert cfg.model.neck == dict(type='LinearNeck', in_channels=64,
                                  out_channels=16, gap_dim=2, norm_cfg=None)
    assert cfg.model.head.loss == dict(type='CrossEntropyLoss')
    assert cfg.custom_hooks == [dict(type='MemoryBankCheckHook')]
    # 0.x ImageList: labels unknown here (the list is not on this machine)
    assert cfg.train_dataloader.dataset.type == 'CustomDataset'
    assert cfg.train_dataloader.dataset.with_label is True
    cfg = _load('v1/npid_resnet18-tiny_1xb8-steplr-1e_tiny.py', tmp_path)
    # PackInputs keeps sample_idx (the bank row) and img_path by default
    assert cfg.train_dataloader.dataset.pipeline[-1] == dict(
        type='PackInputs')
    assert cfg.model.neck.gap_dim == 2
    assert cfg.custom_hooks == [dict(type='MemoryBankCheckHook')]
    cfg = _load('v0/mae_vit-tiny-p8_1xb8-coslr-1e-fp16_tiny.py', tmp_path)
    assert cfg.model.head.loss == dict(type='PixelReconstructionLoss',
                                       criterion='L2')
    assert cfg.optim_wrapper.type == 'AmpOptimWrapper'
    assert cfg.optim_wrapper.loss_scale == 'dynamic'
    cfg = _load('v1/mae_vit-tiny-p8_1xb8-amp-coslr-1e_tiny.py', tmp_path)
    assert cfg.model.head.loss.type == 'PixelReconstructionLoss'


def test_benchmark_conventions(tmp_path):
    cfg = _load('v0/benchmarks/resnet18-tiny_linear-1xb8-steplr-1e_tiny.py',
                tmp_path)
    model = cfg.model
    assert model.type == 'ImageClassifier'
    assert model.neck == dict(type='GlobalAveragePooling')
    assert model.head.type == 'LinearClsHead' and model.head.topk == (1, )
    assert list(model.backbone.out_indices) == [3]
    assert model.backbone.frozen_stages == 4
    assert model.data_preprocessor.type == 'ClsDataPreprocessor'
    assert model.data_preprocessor.num_classes == 2
    assert cfg.val_evaluator == dict(type='Accuracy', topk=(1, ))
    assert cfg.train_cfg.val_interval == 1
    assert cfg.val_dataloader.sampler.shuffle is False
    assert 'test_cfg' not in cfg or cfg.test_cfg != {}
    cfg = _load('v0/benchmarks/resnet18-tiny_head10_1xb8-steplr1e-1-1e_'
                'tiny-10pct.py', tmp_path)
    assert cfg.train_dataloader.dataset.ann_file.endswith('train_10pct.txt')
    assert cfg.visualizer.vis_backends[-1] == dict(
        type='TensorboardVisBackend')
    assert cfg.default_hooks.logger.interval == 10
    cfg = _load('v1/resnet18-tiny_linear-1xb8-steplr-1e_tiny.py', tmp_path)
    # mmcls's ResNet already counts stages from 0: unchanged
    assert list(cfg.model.backbone.out_indices) == [3]
    assert cfg.optim_wrapper.optimizer.type == 'LARS'
    assert cfg.val_evaluator.type == 'Accuracy'
    for name in ('v0/benchmarks/knn_tiny.py', 'v1/knn_tiny.py'):
        cfg = _load(name, tmp_path)
        assert cfg.knn_train_dataloader.sampler.shuffle is False
        assert cfg.knn_test_dataloader.dataset.pipeline[-1].type == \
            'PackInputs'
        assert cfg.knn == dict(ks=[10, 20, 100, 200], temperature=0.07)
        assert 'train_dataloader' not in cfg
    cfg = _load('v1/resnet18-tiny_head10_1xb8-steplr1e-1-1e_tiny-10pct.py',
                tmp_path)
    assert cfg.optim_wrapper.paramwise_cfg.custom_keys == {
        'head': dict(lr_mult=10)}
    assert cfg.model.backbone.frozen_stages == -1


def test_untranslatable_keys_are_listed_with_lines(tmp_path, capsys):
    old = osp.join(FIXTURES, 'v0', 'untranslatable_tiny.py')
    rc, new = _migrate(old, tmp_path)
    assert rc == 1
    err = capsys.readouterr().err
    lines = open(old).read().splitlines()

    def line_of(text):
        return [i for i, line in enumerate(lines, 1) if text in line][0]

    assert f'lr_config.policy ({old}:{line_of("CosineRestart")})' in err
    assert f'workflow ({old}:{line_of("workflow")})' in err
    assert "'MyOwnTransform'" in err and f'{old}:{line_of("MyOwnTransform")}'\
        in err
    assert f'my_custom_setting ({old}:{line_of("my_custom_setting")})' in err
    # written anyway, with the list on top; without --check: status 0
    text = open(new).read()
    assert '# UNTRANSLATED lr_config.policy' in text
    assert tool.main([old, new]) == 0
    # a clean config passes --check
    ok = osp.join(FIXTURES, 'v0', 'mocov2_resnet18-tiny_1xb8-coslr-1e_tiny.py')
    assert tool.main([ok, new, '--check']) == 0


def test_bad_input(tmp_path, capsys):
    assert tool.main([str(tmp_path / 'none.py'), 'x.py']) == 2
    assert 'no such config file' in capsys.readouterr().err
    bad = tmp_path / 'mmselfsup_base.py'
    bad.write_text("_base_ = 'mmselfsup::selfsup/mocov2/x.py'\n")
    assert tool.main([str(bad), str(tmp_path / 'y.py')]) == 2
    assert 'relative path' in capsys.readouterr().err


def test_readme_command(tmp_path, request):
    """The README's migration block, as written (the output file goes to a
    temporary folder)."""
    from tests.test_docs.snippets import blocks_for
    commands = [line for block in blocks_for(request)
                for line in block.text.splitlines() if line.strip()]
    assert commands and all(c.startswith(
        'python tools/misc/migrate_mmselfsup_config.py') for c in commands)
    for command in commands:
        args = shlex.split(command)
        args[3] = str(tmp_path / 'out.py')
        proc = subprocess.run([sys.executable] + args[1:], cwd=REPO_ROOT,
                              capture_output=True, text=True,
                              env=dict(os.environ, PYTHONPATH=REPO_ROOT))
        assert proc.returncode == 0, proc.stderr
        assert 'wrote' in proc.stdout
        Config.fromfile(str(tmp_path / 'out.py'))


def test_hook_arguments_go_through_the_hooks_own_table():
    """The tool maps hook arguments with the hooks' MMSelfSup table (one
    place); what the table refuses is listed, not dropped."""
    src = dict(custom_hooks=[
        dict(type='DeepClusterHook', extractor=dict(dataset=dict()),
             clustering=dict(type='PIC')),
        dict(type='ODCHook', dist_mode=True, no_such_argument=1),
        dict(type='ODCHook', dist_mode=True, evaluate_interval=5)])
    migration = tool.Migration(src)
    out = migration.run()
    messages = [m for _, _, m in migration.problems]
    assert any("only MMSelfSup's 'Kmeans'" in m for m in messages)
    assert any("unknown arguments ['no_such_argument']" in m
               for m in messages)
    assert out['custom_hooks'][2] == dict(type='ODCHook',
                                          evaluate_interval=5)


def test_runtime_keys():
    src = dict(
        optimizer=dict(type='SGD', lr=0.1, momentum=0.9),
        optimizer_config=dict(type='DistOptimizerHook', coalesce=True,
                              bucket_size_mb=-1),
        lr_config=dict(policy='poly', power=0.9, min_lr=1e-4,
                       by_epoch=False),
        momentum_config=dict(policy='CosineAnnealing', min_momentum=0.85,
                             by_epoch=False),
        runner=dict(type='IterBasedRunner', max_iters=100),
        resume_from='work_dirs/x/iter_50.pth', load_from='other.pth',
        workflow=[('train', 1)], dist_params=dict(backend='nccl'),
        checkpoint_config=dict(interval=50, by_epoch=False))
    migration = tool.Migration(src)
    out = migration.run()
    assert not migration.problems
    assert out['train_cfg'] == dict(type='IterBasedTrainLoop', max_iters=100)
    assert out['param_scheduler'] == [
        dict(type='PolyLR', power=0.9, eta_min=1e-4, by_epoch=False,
             begin=0, end=101),
        dict(type='CosineAnnealingMomentum', T_max=100, by_epoch=False,
             begin=0, end=100, eta_min=0.85)]
    # resume_from: that checkpoint, resumed (load_from is then unused)
    assert out['load_from'] == 'work_dirs/x/iter_50.pth'
    assert out['resume'] is True
    assert out['optim_wrapper'] == dict(
        type='OptimWrapper', optimizer=dict(type='SGD', lr=0.1,
                                            momentum=0.9))
    assert out['default_hooks']['checkpoint'] == dict(
        type='CheckpointHook', interval=50, by_epoch=False)
    lrs = _lrs(out['param_scheduler'][:1], 1, 100, 0.1)
    # mmcv-1 poly: (base - min) * (1 - k / K) ** power + min
    ref = (0.1 - 1e-4) * (1 - np.arange(100) / 100) ** 0.9 + 1e-4
    np.testing.assert_allclose(lrs, ref, rtol=1e-9)
    out = tool.Migration(dict(total_epochs=7, optimizer=dict(
        type='SGD', lr=0.1), lr_config=dict(policy='fixed'))).run()
    assert out['train_cfg'] == dict(type='EpochBasedTrainLoop', max_epochs=7)
    assert 'param_scheduler' not in out


def test_random_aug_and_lighting_translate_and_build():
    from mmengine.registry import init_default_scope
    from mmpretrain.registry import TRANSFORMS
    init_default_scope('mmpretrain')
    pipeline = [
        dict(type='RandomAug', input_size=32, color_jitter=None,
             auto_augment='rand-m9-mstd0.5-inc1', interpolation='bicubic',
             re_prob=0.25, re_mode='pixel', re_count=1,
             mean=(0.485, 0.456, 0.406), std=(0.229, 0.224, 0.225)),
        dict(type='Lighting')]
    src = dict(data=dict(samples_per_gpu=2, workers_per_gpu=0, train=dict(
        type='SingleViewDataset', data_source=dict(
            type='ImageNet', data_prefix='x', ann_file='x.txt'),
        pipeline=pipeline)))
    migration = tool.Migration(src)
    out = migration.run()
    assert not migration.problems
    steps = out['knn_train_dataloader']['dataset']['pipeline']
    kinds = [s['type'] for s in steps]
    assert kinds == ['LoadImageFromFile', 'RandomResizedCrop', 'RandomFlip',
                     'RandAugment', 'RandomErasing', 'Lighting', 'PackInputs']
    rand = steps[3]
    assert (rand['policies'], rand['magnitude_level'],
            rand['magnitude_std'], rand['num_policies']) == (
                'timm_increasing', 9, 0.5, 2)
    erase = steps[4]
    assert erase['erase_prob'] == 0.25 and erase['mode'] == 'rand'
    assert erase['fill_color'] == pytest.approx([103.53, 116.28, 123.675])
    light = steps[5]
    # 0.x: on 0-1 RGB tensors; here uint8 BGR: x255, channel rows reversed
    assert light['eigval'] == pytest.approx([55.4625, 4.794, 1.1475])
    assert light['eigvec'][0] == [-0.5836, -0.6948, 0.4203]
    img = np.random.default_rng(0).integers(0, 255, (40, 40, 3), np.uint8)
    results = dict(img=img, img_shape=img.shape[:2], ori_shape=img.shape[:2])
    for step in steps[1:-1]:
        results = TRANSFORMS.build(dict(step)).transform(results)
    assert results['img'].shape == (32, 32, 3)


def test_cifar_source_gives_rgb_arrays():
    """0.x CIFAR sources hand RGB arrays to the pipeline (no file decoding):
    no LoadImageFromFile, luma weights in RGB order, no channel swap."""
    src = dict(
        model=dict(type='SimCLR', backbone=dict(type='ResNet', depth=18)),
        data=dict(samples_per_gpu=4, train=dict(
            type='SingleViewDataset',
            data_source=dict(type='CIFAR10', data_prefix='data/cifar'),
            pipeline=[dict(type='RandomGrayscale', p=0.2),
                      dict(type='ToTensor'),
                      dict(type='Normalize', mean=[0.5] * 3,
                           std=[0.25] * 3)])))
    migration = tool.Migration(src)
    out = migration.run()
    dataset = out['train_dataloader']['dataset']
    assert dataset['type'] == 'CIFAR10' and dataset['split'] == 'train'
    assert [s['type'] for s in dataset['pipeline']] == [
        'RandomGrayscale', 'PackInputs']
    assert dataset['pipeline'][0]['channel_weights'] == (0.2989, 0.587,
                                                          0.114)
    pre = out['model']['data_preprocessor']
    assert pre['to_rgb'] is False
    assert pre['mean'] == [127.5] * 3 and pre['std'] == [63.75] * 3
