"""The Runner.build_dataloader compat fix
(mmssl_ext/compat/build_dataloader.py): the ``_scope_`` key of ``mmpretrain::`` bases no longer reaches collate
functions, and DataLoader workers started by spawn get the compat fixes."""
import json
import os
import os.path as osp
import subprocess
import sys

import cv2
import numpy as np
import pytest
import torch
from mmengine.dataset import default_collate
from mmengine.registry import init_default_scope
from mmengine.runner import FlexibleRunner, Runner

import mmssl_ext  # noqa: F401
from mmssl_ext.compat import build_dataloader as compat
from mmssl_ext.compat.fixes import (DISABLE_ENV, applied_compat_fixes,
                                    compat_disabled)
from tests.helpers import REPO_ROOT

RUNNERS = (Runner, FlexibleRunner)


def _cfg(collate_fn=None, **extra):
    cfg = dict(dataset=[np.float32(i) for i in range(6)], sampler=None,
               batch_size=3, **extra)
    if collate_fn is not None:
        cfg['collate_fn'] = collate_fn
    return cfg


def test_strip_scope_resolves_the_type_in_that_scope():
    init_default_scope('mmpretrain')
    cfg = dict(batch_size=2, collate_fn=dict(type='default_collate',
                                             _scope_='mmpretrain'))
    out = compat.strip_scope(cfg)
    assert out['collate_fn'] == dict(type=default_collate)
    assert cfg['collate_fn']['_scope_'] == 'mmpretrain'  # input untouched
    plain = dict(batch_size=2, collate_fn=dict(type='default_collate'))
    assert compat.strip_scope(plain) is plain
    with pytest.raises(KeyError, match='no_such_collate'):
        compat.strip_scope(dict(collate_fn=dict(type='no_such_collate',
                                                _scope_='mmpretrain')))


@pytest.mark.parametrize('runner', RUNNERS, ids=lambda c: c.__name__)
def test_upstream_passes_scope_to_the_collate_function(runner):
    upstream = compat.original_build_dataloader(runner)
    loader = upstream(_cfg(dict(type='default_collate', _scope_='mmengine')))
    with pytest.raises(TypeError, match='_scope_'):
        next(iter(loader))
    # where mmssl_ext applied the fix, the same config works
    assert 'build_dataloader' in applied_compat_fixes()
    batches = list(runner.build_dataloader(
        _cfg(dict(type='default_collate', _scope_='mmengine'))))
    assert [b.tolist() for b in batches] == [[0, 1, 2], [3, 4, 5]]


@pytest.mark.parametrize('runner', RUNNERS, ids=lambda c: c.__name__)
@pytest.mark.parametrize('collate_fn', [
    None, dict(type='default_collate'), dict(type='pseudo_collate'),
    dict(type=default_collate)])
def test_same_loader_as_upstream_where_upstream_is_right(runner, collate_fn):
    upstream = compat.original_build_dataloader(runner)
    ours, theirs = (build(_cfg(collate_fn), seed=3)
                    for build in (runner.build_dataloader, upstream))
    assert ours.collate_fn.func is theirs.collate_fn.func
    assert ours.collate_fn.keywords == theirs.collate_fn.keywords
    assert ours.batch_size == theirs.batch_size
    for a, b in zip(ours, theirs):
        if isinstance(a, torch.Tensor):
            assert torch.equal(a, b)
        else:
            assert a == b


def test_workers_get_the_wrapper_only_when_they_have_workers():
    wrapped = compat._wrap(compat.original_build_dataloader(Runner),
                           strip=True, workers=True)
    loader = wrapped(_cfg(num_workers=1), seed=0)
    assert isinstance(loader.worker_init_fn, compat.CompatWorkerInit)
    assert loader.worker_init_fn.init_fn is not None  # mmengine's seeding
    assert list(loader)  # fork: the wrapper runs and calls mmengine's
    assert not isinstance(wrapped(_cfg(), seed=0).worker_init_fn,
                          compat.CompatWorkerInit)


@pytest.fixture(scope='module')
def png_folder(tmp_path_factory):
    root = tmp_path_factory.mktemp('spawn_pngs')
    rng = np.random.default_rng(0)
    for i in range(16):
        cv2.imwrite(str(root / f'{i:02d}.png'),
                    rng.integers(0, 256, (20, 20, 3), dtype=np.uint8))
    return str(root)


NUMPY2 = int(np.__version__.split('.')[0]) >= 2


def hue_bug_present() -> bool:
    from mmssl_ext.compat.adjust_hue import bug_present
    return bug_present()


def test_spawned_workers_get_the_fixes(png_folder):
    modes = ['forced', 'upstream'] + (
        ['patched'] if NUMPY2 and hue_bug_present() else [])
    proc = subprocess.run(
        [sys.executable, osp.join(REPO_ROOT, 'tests', 'test_compat',
                                  '_spawn_loader.py'), png_folder, *modes],
        capture_output=True, text=True, timeout=600,
        env=dict(os.environ, PYTHONPATH=REPO_ROOT))
    assert proc.returncode == 0, proc.stderr[-4000:]
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    parent = report['parent_adjust_hue']
    # the wrapper makes a spawned worker import mmssl_ext ...
    assert [(b['mmssl_ext'], b['adjust_hue']) for b in report['forced']] == [
        (True, parent)] * 2
    # ... which upstream's loader does not do (the test can fail)
    assert [(b['mmssl_ext'], b['adjust_hue'])
            for b in report['upstream']] == [
        (False, 'mmcv.image.photometric')] * 2
    if NUMPY2 and hue_bug_present():
        # as mmssl_ext leaves Runner, ColorJitter(hue=0.5) in workers (not
        # on an mmcv that is fixed upstream, e.g. onedl-mmcv 2.3)
        assert parent == 'mmssl_ext.compat.adjust_hue'
        assert [(b['n'], b['adjust_hue']) for b in report['patched']] == [
            (8, parent)] * 2


_REPORT = '''
import json, mmcv, mmcv.image.photometric as p
import mmssl_ext
from mmengine.runner import Runner
from mmssl_ext.compat import applied_compat_fixes
from mmssl_ext.compat.adjust_hue import ORIGINAL
print(json.dumps(dict(
    applied=applied_compat_fixes(),
    hue_is_upstream=mmcv.adjust_hue is ORIGINAL and p.adjust_hue is ORIGINAL,
    loader_wrapped=hasattr(Runner.build_dataloader,
                           '__mmssl_ext_compat__'))))
'''


def test_fixes_are_on_by_default():
    assert os.environ.get(DISABLE_ENV) is None
    assert 'build_dataloader' in applied_compat_fixes()
    assert hasattr(Runner.build_dataloader, '__mmssl_ext_compat__')


@pytest.mark.parametrize('value,off', [('1', True), ('true', True),
                                       ('YES', True), ('0', False),
                                       ('', False)])
def test_what_the_environment_variable_accepts(monkeypatch, value, off):
    monkeypatch.setenv(DISABLE_ENV, value)
    assert compat_disabled() is off


def test_environment_variable_turns_every_fix_off():
    env = dict(os.environ, PYTHONPATH=REPO_ROOT, **{DISABLE_ENV: '1'})
    proc = subprocess.run([sys.executable, '-c', _REPORT], env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report == dict(applied=[], hue_is_upstream=True,
                          loader_wrapped=False)


def test_our_extraction_loaders_strip_scope_themselves(monkeypatch,
                                                        fmnist_tiny):
    """extract_features (kNN tool, KNNEvalHook) works on a loader config
    inherited from mmpretrain also where the compat fix is off."""
    from mmengine.config import Config

    from mmssl_ext.evaluation import feature_extractor as fe
    monkeypatch.setattr(Runner, 'build_dataloader', staticmethod(
        compat.original_build_dataloader(Runner)))
    init_default_scope('mmpretrain')
    cfg = Config.fromfile(osp.join(
        REPO_ROOT, 'configs/simclr/simclr_resnet18-cifar-w16_1xb256-adamw-'
        'coslr-300i_fashion-mnist.py'))
    model = fe.build_model_for_extraction(cfg)
    loader = cfg.knn_train_dataloader
    loader.dataset.data_root = fmnist_tiny
    loader.dataset.indices = 6
    loader.batch_size = 3
    loader.num_workers = 0
    loader.collate_fn = dict(type='default_collate', _scope_='mmpretrain')
    with pytest.raises(TypeError, match='_scope_'):
        next(iter(Runner.build_dataloader(loader)))
    assert fe.extract_features(model, loader).shape[0] == 6
