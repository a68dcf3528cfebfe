"""numpy 2 breaks mmcv 2.0-2.2's ``adjust_hue`` (OverflowError for negative
hue factors), i.e. ``ColorJitter(hue>0)`` in every contrastive pipeline;
mmssl_ext/compat/adjust_hue.py fixes it. These tests push 1,000 samples
through each such pipeline (mmpretrain's, MMSelfSup's MoCo v1, ours) under
whichever numpy is installed: CI runs them with numpy 1 and numpy 2."""
import glob
import os.path as osp

import numpy as np
import pytest
from mmcv.transforms import Compose
from mmengine.config import Config
from mmengine.registry import init_default_scope

import mmpretrain
import mmssl_ext  # noqa: F401
from tests.helpers import REPO_ROOT, shrink_crops

MMPRETRAIN_CONFIGS = osp.join(osp.dirname(mmpretrain.__file__), '.mim',
                              'configs')
UPSTREAM = {
    'MoCo v2': 'mocov2/mocov2_resnet50_8xb32-coslr-200e_in1k.py',
    'MoCo v3': 'mocov3/mocov3_resnet50_8xb512-amp-coslr-100e_in1k.py',
    'SimCLR': 'simclr/simclr_resnet50_16xb256-coslr-200e_in1k.py',
    'BYOL': 'byol/byol_resnet50_16xb256-coslr-200e_in1k.py',
    'SwAV': 'swav/swav_resnet50_8xb32-mcrop-coslr-200e_in1k-224px-96px.py',
    'BarlowTwins': 'barlowtwins/barlowtwins_resnet50_8xb256-coslr-300e_in1k.py',
    'DenseCL': 'densecl/densecl_resnet50_8xb32-coslr-200e_in1k.py',
    'SimSiam': 'simsiam/simsiam_resnet50_8xb32-coslr-200e_in1k.py',
    'MoCo v3 ViT':
    'mocov3/mocov3_vit-small-p16_16xb256-amp-coslr-300e_in1k.py',
}
# MMSelfSup's MoCo v1 recipe (mmpretrain has no MoCo v1 config).
MOCOV1_VIEW = [
    dict(type='RandomResizedCrop', scale=224, crop_ratio_range=(0.2, 1.)),
    dict(type='RandomGrayscale', prob=0.2, keep_channels=True),
    dict(type='ColorJitter', brightness=0.4, contrast=0.4, saturation=0.4,
         hue=0.4),
    dict(type='RandomFlip', prob=0.5),
]
MOCOV1_PIPELINE = [
    dict(type='LoadImageFromFile'),
    dict(type='MultiView', num_views=2, transforms=[MOCOV1_VIEW]),
    dict(type='PackInputs'),
]
NUM_SAMPLES = 1000


def _has_hue_jitter(obj) -> bool:
    if isinstance(obj, dict):
        if obj.get('type') == 'ColorJitter' and obj.get('hue', 0) > 0:
            return True
        return any(_has_hue_jitter(v) for v in obj.values())
    if isinstance(obj, (list, tuple)):
        return any(_has_hue_jitter(v) for v in obj)
    return False


def _our_pipelines():
    """Our CPU-sized configs whose pipelines use ColorJitter(hue > 0)."""
    found = {}
    for path in sorted(glob.glob(osp.join(REPO_ROOT, 'configs', '**', '*.py'),
                                 recursive=True)):
        name = osp.basename(path)
        if '_base_' in path or not ('fashion-mnist' in name or 'tiny' in name):
            continue
        if osp.basename(osp.dirname(osp.dirname(path))) in (
                'mmdetection', 'mmsegmentation'):
            # mmdet/mmseg pipelines (PhotoMetricDistortion, no ColorJitter);
            # their bases need the transfer extra, absent on mmcv-lite
            continue
        if 'ColorJitter' not in open(path).read() and '_base_' not in open(
                path).read():
            continue
        cfg = Config.fromfile(path)
        dataset = cfg.get('train_dataloader', {}).get('dataset', {})
        pipeline = dataset.get('pipeline') or dataset.get(
            'dataset', {}).get('pipeline')
        if pipeline and _has_hue_jitter(pipeline):
            found[osp.relpath(path, REPO_ROOT)] = pipeline
    return found


def _pipelines():
    cases = {'MoCo v1': MOCOV1_PIPELINE}
    for name, rel in UPSTREAM.items():
        cfg = Config.fromfile(osp.join(MMPRETRAIN_CONFIGS, rel))
        cases[name] = cfg.train_dataloader.dataset.pipeline
    cases.update(_our_pipelines())
    return cases


PIPELINES = _pipelines()


@pytest.mark.parametrize('name', sorted(PIPELINES))
def test_pipeline_processes_1000_samples(name):
    pipeline = PIPELINES[name]
    assert _has_hue_jitter(pipeline), f'{name}: no ColorJitter(hue>0)'
    init_default_scope('mmpretrain')
    steps = [t for t in shrink_crops(pipeline)
             if t['type'] != 'LoadImageFromFile']
    transform = Compose(steps)
    rng = np.random.default_rng(0)
    np.random.seed(0)
    for i in range(NUM_SAMPLES):
        img = rng.integers(0, 256, size=(40, 40, 3), dtype=np.uint8)
        out = transform(dict(img=img, img_shape=img.shape[:2],
                             ori_shape=img.shape[:2], sample_idx=i,
                             img_path=f'{i}.png'))
        assert out is not None and 'inputs' in out, f'{name}: sample {i}'
