"""DeepCluster / ODC configs against MMSelfSup's recipes of the same name.

The expected values are read from MMSelfSup's configs (0.x and 1.x):
optimizer SGD momentum 0.9 with the head at momentum 0, the pipeline's
RandomRotation(degrees=2) / ColorJitter / RandomGrayscale, balanced sampling
without loss re-weighting for DeepCluster, sampling with replacement and a
SyncBN backbone for ODC.
"""
import glob
import os.path as osp

import pytest
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper
from mmengine.registry import DefaultScope

import mmssl_ext  # noqa: F401
from mmpretrain.registry import MODELS
from tests.helpers import REPO_ROOT

CONFIGS = sorted(
    glob.glob(osp.join(REPO_ROOT, 'configs', 'deepcluster', '*.py')) +
    glob.glob(osp.join(REPO_ROOT, 'configs', 'odc', '*.py')))
FULL = [p for p in CONFIGS if 'resnet50' in osp.basename(p)]


def test_all_six_reference_names_exist():
    names = {osp.basename(p) for p in CONFIGS}
    for name in ('deepcluster_resnet50_8xb64-steplr-200e_in1k.py',
                 'deepcluster-sobel_resnet50_8xb64-steplr-200e_in1k.py',
                 'odc_resnet50_8xb64-steplr-440e_in1k.py'):
        assert name in names


def _tiny_model(cfg):
    """The config's model with a narrow backbone: optimizer grouping only
    depends on parameter names."""
    model = cfg.model
    in_ch = model.backbone.get('in_channels', 3)
    model.backbone = dict(type='ResNet_CIFAR', depth=18, in_channels=in_ch,
                          stem_channels=8, base_channels=8)
    if model.type == 'ODC':
        model.neck.update(in_channels=64, hid_channels=16, out_channels=8,
                          norm_cfg=dict(type='BN1d'))
        model.head.update(in_channels=8, num_classes=4)
        model.memory_bank.update(length=20, feat_dim=8, num_classes=4)
    else:
        model.head.update(in_channels=64, num_classes=4)
    return MODELS.build(model)


@pytest.mark.parametrize('path', CONFIGS, ids=osp.basename)
def test_head_trains_without_momentum(path):
    cfg = Config.fromfile(path)
    model = _tiny_model(cfg)
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    head = {id(p) for p in model.head.parameters()}
    seen_head = seen_rest = 0
    for group in wrapper.optimizer.param_groups:
        for p in group['params']:
            if id(p) in head:
                assert group['momentum'] == 0.0
                seen_head += 1
            else:
                assert group['momentum'] == 0.9
                seen_rest += 1
            assert group['weight_decay'] == 1e-5
    assert seen_head == 2 and seen_rest == len(list(model.parameters())) - 2


def _step(pipeline, name):
    steps = [t for t in pipeline if t['type'] == name]
    assert len(steps) == 1, f'{name} missing or repeated'
    return steps[0]


@pytest.mark.parametrize('path', FULL, ids=osp.basename)
def test_reference_recipe(path):
    cfg = Config.fromfile(path)
    odc = 'odc' in osp.basename(path)
    pipeline = cfg.train_pipeline
    assert [t['type'] for t in pipeline] == [
        'LoadImageFromFile', 'RandomResizedCrop', 'RandomFlip',
        'RandomRotation', 'ColorJitter', 'RandomGrayscale', 'PackInputs']
    assert _step(pipeline, 'RandomRotation')['degrees'] == 2
    jitter = _step(pipeline, 'ColorJitter')
    assert (jitter.brightness, jitter.contrast, jitter.saturation,
            jitter.hue) == (0.4, 0.4, 1.0, 0.5)
    grey = _step(pipeline, 'RandomGrayscale')
    assert grey.prob == 0.2 and grey.keep_channels
    assert tuple(grey.channel_weights) == (0.114, 0.587, 0.2989)
    assert cfg.train_dataloader.batch_size == 64
    assert cfg.auto_scale_lr.base_batch_size == 512
    opt = cfg.optim_wrapper.optimizer
    assert (opt.type, opt.momentum, opt.weight_decay) == ('SGD', 0.9, 1e-5)
    assert opt.lr == (0.06 if odc else 0.1)
    sched = cfg.param_scheduler[0]
    assert (sched.milestones, sched.gamma) == ([400], 0.4 if odc else 0.1)
    assert cfg.train_cfg.max_epochs == (440 if odc else 200)
    dc_hook = cfg.custom_hooks[0]
    assert dc_hook.type == 'DeepClusterHook' and dc_hook.initial
    if odc:
        assert cfg.model.backbone.norm_cfg.type == 'SyncBN'
        assert cfg.model.neck.norm_cfg.type == 'SyncBN'
        assert cfg.train_dataloader.sampler.replace
        assert (dc_hook.pca_dim, dc_hook.balanced_sampling,
                dc_hook.reweight, dc_hook.init_memory) == (-1, False, True,
                                                           True)
        odc_hook = cfg.custom_hooks[1]
        assert (odc_hook.centroids_update_interval,
                odc_hook.deal_with_small_clusters_interval,
                odc_hook.evaluate_interval, odc_hook.reweight,
                odc_hook.reweight_pow) == (10, 1, 50, True, 0.5)
        assert cfg.model.memory_bank.momentum == 0.5
        assert cfg.model.memory_bank.min_cluster == 20
    else:
        assert cfg.model.backbone.norm_cfg.type == 'BN'
        assert (dc_hook.pca_dim, dc_hook.balanced_sampling, dc_hook.reweight,
                dc_hook.interval) == (256, True, False, 1)
