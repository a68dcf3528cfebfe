"""The batched-augmentation configs: each keeps its base's view pipelines,
trains 2 iterations through the Runner, and the documented switch works on
mmpretrain's contrastive configs."""
import os.path as osp
import re

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.runner import Runner
from mmpretrain.registry import MODELS

import mmssl_ext  # noqa: F401
from mmssl_ext.models.data_preprocessors import BatchedAugDataPreprocessor
from mmssl_ext.models.data_preprocessors.batched_view_pipeline import \
    parse_views
from tests.helpers import REPO_ROOT, tiny_cfg

BATCHED = {  # batched config -> its per-sample base
    'configs/simclr/simclr_resnet18-cifar-w16_1xb256-adamw-coslr-300i_'
    'fashion-mnist_batched-aug.py': 'fmnist',
    'configs/simclr/simclr_resnet18-w16_1xb256-adamw-coslr-300i_'
    'fashion-mnist-56px_batched-aug.py': 'fmnist',
    'configs/swav/swav_resnet18-cifar-w16_1xb64-mcrop-coslr-4e_'
    'fashion-mnist-32px-16px_batched-aug.py': 'fmnist',
    'configs/simclr/simclr_resnet50_16xb256-coslr-200e_custom-dataset_'
    'tiny-cpu_batched-aug.py': 'folder',
}
DOC = osp.join(REPO_ROOT, 'docs', 'batched_augmentation.md')


def _preprocessor_cfg(cfg):
    return cfg.model.get('data_preprocessor') or cfg.data_preprocessor


def _multiview(pipeline):
    (mv, ) = [t for t in pipeline if t['type'] == 'MultiView']
    num = mv['num_views']
    return [num] if isinstance(num, int) else list(num), mv['transforms']


def _base_path(path):
    return path.replace('_batched-aug.py', '.py')


def test_every_contrastive_cpu_config_has_a_batched_variant():
    bases = {_base_path(p) for p in BATCHED}
    for path in bases:
        assert osp.isfile(osp.join(REPO_ROOT, path)), path


@pytest.mark.parametrize('path', sorted(BATCHED))
def test_batched_config_keeps_the_views_of_its_base(path):
    cfg = Config.fromfile(osp.join(REPO_ROOT, path))
    base = Config.fromfile(osp.join(REPO_ROOT, _base_path(path)))
    pre = _preprocessor_cfg(cfg)
    assert pre['type'] == 'BatchedAugDataPreprocessor'
    base_pre = _preprocessor_cfg(base)
    for key in ('mean', 'std', 'to_rgb'):
        assert pre.get(key) == base_pre.get(key), key
    init_default_scope('mmpretrain')
    built = MODELS.build(pre)
    num, transforms = _multiview(base.train_dataloader.dataset.pipeline)
    assert built.num_views == num
    assert [[dict(t) for t in v] for v in transforms] == [
        [dict(t) for t in v] for _, v in parse_views(pre['views'])]
    steps = [t['type'] for t in cfg.train_dataloader.dataset.pipeline]
    assert 'MultiView' not in steps and steps[0] == 'LoadImageFromFile'


@pytest.mark.parametrize('path', sorted(BATCHED))
def test_batched_config_trains_two_iters(path, fmnist_tiny, tmp_path):
    cfg = Config.fromfile(osp.join(REPO_ROOT, path))
    ds = cfg.train_dataloader.dataset
    ds.data_root = (osp.join(fmnist_tiny, 'train')
                    if BATCHED[path] == 'folder' else fmnist_tiny)
    cfg.train_dataloader.batch_size = 16
    cfg.train_dataloader.num_workers = 0
    cfg.train_dataloader.persistent_workers = False
    for hook in cfg.get('custom_hooks', []):
        if 'batch_size' in hook:
            hook['batch_size'] = 16
    cfg.work_dir = str(tmp_path)
    cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=2)
    cfg.param_scheduler = []
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=2,
                                        by_epoch=False)
    cfg.log_level = 'WARNING'
    runner = Runner.from_cfg(cfg)
    assert type(runner.model.data_preprocessor).__name__ == \
        'BatchedAugDataPreprocessor'
    before = {k: v.clone() for k, v in runner.model.state_dict().items()}
    runner.train()
    assert runner.iter == 2
    after = runner.model.state_dict()
    assert any(not torch.equal(before[k], after[k]) for k in before)


def _snippet():
    text = open(DOC).read()
    block = text.split('<!-- switch-snippet -->', 1)[1]
    return re.search(r'```python\n(.*?)```', block, re.S).group(1)


MMPRETRAIN_CONTRASTIVE = [
    'simclr/simclr_resnet50_16xb256-coslr-200e_in1k.py',
    'mocov2/mocov2_resnet50_8xb32-coslr-200e_in1k.py',
    'mocov3/mocov3_resnet50_8xb512-amp-coslr-100e_in1k.py',
    'byol/byol_resnet50_16xb256-coslr-200e_in1k.py',
    'swav/swav_resnet50_8xb32-mcrop-coslr-200e_in1k-224px-96px.py',
]


@pytest.mark.parametrize('base', MMPRETRAIN_CONTRASTIVE)
def test_documented_switch_on_mmpretrain_configs(base, tmp_path):
    lines = _snippet().strip().splitlines()
    assert len(lines) == 2  # the preprocessor line and the pipeline line
    if base.startswith('swav'):  # sets model.data_preprocessor (documented)
        lines[0] = ('model = dict(data_preprocessor=dict(type='
                    "'BatchedAugDataPreprocessor', "
                    'views={{_base_.train_pipeline}}))')
    path = tmp_path / 'switched.py'
    path.write_text('\n'.join([
        f"_base_ = 'mmpretrain::{base}'",
        "custom_imports = dict(imports=['mmssl_ext'], "
        'allow_failed_imports=False)', *lines]) + '\n')
    cfg = Config.fromfile(str(path))
    import mmpretrain
    base_cfg = Config.fromfile(osp.join(osp.dirname(mmpretrain.__file__),
                                        '.mim', 'configs', base))
    # what the Runner hands the model (model.data_preprocessor wins)
    pre = dict(cfg.model.get('data_preprocessor') or cfg.data_preprocessor)
    assert pre['type'] == 'BatchedAugDataPreprocessor'
    assert pre.get('mean') is not None and pre.get('std') is not None
    init_default_scope('mmpretrain')
    built = MODELS.build(pre)
    assert isinstance(built, BatchedAugDataPreprocessor)
    num, _ = _multiview(base_cfg.train_pipeline)
    assert built.num_views == num
    x = torch.randint(0, 256, (2, 3, 60, 80), dtype=torch.uint8)
    views = built(dict(inputs=x, data_samples=None), True)['inputs']
    assert len(views) == sum(num)
    assert 'MultiView' not in [t['type'] for t in
                               cfg.train_dataloader.dataset.pipeline]


def _tiny_batched_demo(data_root, work_dir, max_iters):
    path = sorted(BATCHED)[0]
    assert 'fashion-mnist_batched-aug' in path
    cfg = tiny_cfg(path, data_root, work_dir, max_iters=max_iters,
                   ckpt_interval=2)
    cfg.model.backbone.update(base_channels=8, stem_channels=8)
    cfg.model.neck.update(in_channels=64, hid_channels=16, out_channels=8)
    return cfg


def _record_views(runner):
    sums = []

    def hook(module, args, out):
        if module.training:
            sums.append(torch.stack([v.double().sum() for v in
                                     out['inputs']]))

    runner.model.data_preprocessor.register_forward_hook(hook)
    return sums


def test_resume_continues_the_random_stream(fmnist_tiny, tmp_path):
    """Views of iterations 2-3 after resuming from iter 2 are those of the
    uninterrupted run: parameters come from (seed, rank, iteration)."""
    straight = Runner.from_cfg(_tiny_batched_demo(fmnist_tiny,
                                                  str(tmp_path / 'a'), 4))
    a = _record_views(straight)
    straight.train()
    first = Runner.from_cfg(_tiny_batched_demo(fmnist_tiny,
                                               str(tmp_path / 'b'), 2))
    first.train()
    cfg = _tiny_batched_demo(fmnist_tiny, str(tmp_path / 'b'), 4)
    cfg.resume = True
    cfg.load_from = str(tmp_path / 'b' / 'iter_2.pth')
    resumed = Runner.from_cfg(cfg)
    b = _record_views(resumed)
    resumed.train()
    assert len(a) == 4 and len(b) == 2
    assert torch.equal(torch.stack(a[2:]), torch.stack(b))
    assert not torch.equal(a[0], a[1])  # a new draw every iteration
