"""KNNEvalHook and the kNN benchmark scripts, one process and 2-process DDP
(gloo): results equal a single-process evaluation of the same weights."""
import json
import os
import os.path as osp
import subprocess
import sys

import pytest
import torch
from mmengine.registry import init_default_scope
from mmengine.runner import Runner

import mmssl_ext  # noqa: F401
from mmpretrain.registry import HOOKS
from mmssl_ext.evaluation.feature_extractor import build_model_for_extraction
from tests.helpers import REPO_ROOT, run_distributed, tiny_demo_cfg

DIST_SCRIPT = osp.join(osp.dirname(__file__), 'dist_scripts',
                       'knn_eval_hook_ddp.py')
KNN_DIR = osp.join(REPO_ROOT, 'benchmarks', 'classification', 'knn')


def knn_hook_cfg(data_root, work_dir):
    cfg = tiny_demo_cfg(data_root, work_dir, num_samples=32, batch_size=8)
    cfg.model.neck.norm_cfg = dict(type='BN1d')  # SyncBN needs GPUs under DDP
    train_dl = cfg.knn_train_dataloader.copy()
    test_dl = cfg.knn_test_dataloader.copy()
    train_dl.dataset.indices = 96
    test_dl.dataset.indices = 40
    for dl in (train_dl, test_dl):
        dl.num_workers = 0
        dl.batch_size = 16
    cfg.custom_hooks = [dict(type='KNNEvalHook', train_dataloader=train_dl,
                             test_dataloader=test_dl, ks=[5, 10])]
    return cfg


def _single_process_reference(cfg, checkpoint):
    """kNN of the saved weights, computed without the hook."""
    from mmssl_ext.evaluation.feature_extractor import (dataset_labels,
                                                        extract_features)
    from mmssl_ext.evaluation.functional import knn_accuracy
    init_default_scope('mmpretrain')
    hook_cfg = cfg.custom_hooks[0]
    model = build_model_for_extraction(cfg, checkpoint)
    train = Runner.build_dataloader(hook_cfg['train_dataloader'])
    test = Runner.build_dataloader(hook_cfg['test_dataloader'])
    return knn_accuracy(extract_features(model, train),
                        dataset_labels(train.dataset),
                        extract_features(model, test),
                        dataset_labels(test.dataset), ks=[5, 10])


def _assert_close(a, b):
    assert a.keys() == b.keys()
    for k in a:
        assert abs(a[k] - b[k]) < 1e-6, (k, a[k], b[k])


def test_hook_logs_knn_and_restores_train_mode(fmnist_tiny, tmp_path):
    cfg = knn_hook_cfg(fmnist_tiny, str(tmp_path))
    runner = Runner.from_cfg(cfg)
    runner.train()
    hook = [h for h in runner.hooks if type(h).__name__ == 'KNNEvalHook'][0]
    assert set(hook.last_results) == {'k5_top1', 'k5_top5', 'k10_top1',
                                      'k10_top5'}
    assert runner.model.training
    ref = _single_process_reference(cfg, osp.join(str(tmp_path),
                                                  'epoch_1.pth'))
    _assert_close(hook.last_results, ref)


def test_hook_under_ddp_matches_single_process(fmnist_tiny, tmp_path):
    run_distributed(DIST_SCRIPT, [fmnist_tiny, str(tmp_path)], nproc=2)
    r0 = json.load(open(tmp_path / 'rank0.json'))
    r1 = json.load(open(tmp_path / 'rank1.json'))
    assert r0 == r1
    cfg = knn_hook_cfg(fmnist_tiny, str(tmp_path / 'ref'))
    ref = _single_process_reference(cfg, str(tmp_path / 'wd' / 'epoch_1.pth'))
    _assert_close(r0, ref)
    bufs = [torch.load(tmp_path / f'buffers_rank{r}.pt', weights_only=False)
            for r in range(2)]
    # the ranks' running statistics differ (broadcast_buffers=False) ...
    assert not all(torch.equal(a, b) for a, b in zip(bufs[0]['before'],
                                                     bufs[1]['before']))
    # ... and the evaluation left each rank's own, and its generator, alone
    assert bufs[0]['unchanged'] and bufs[1]['unchanged']
    assert bufs[0]['rng_unchanged'] and bufs[1]['rng_unchanged']


def test_evaluation_does_not_change_training(fmnist_tiny, tmp_path):
    """Training with the hook sees the generator states and ends with the
    weights of training without it (iterating the kNN loaders draws from
    torch's global generator; dropout, NPID negatives... read it)."""
    import random

    import numpy as np

    from tests.test_models.dist_scripts.classic_common import RecordHook
    finals, states = [], []
    for with_hook in (True, False):
        cfg = knn_hook_cfg(fmnist_tiny, str(tmp_path / str(with_hook)))
        cfg.train_cfg.max_epochs = 2
        cfg.custom_hooks[0].update(before_train=True)
        if not with_hook:
            cfg.custom_hooks = []
        runner = Runner.from_cfg(cfg)
        seen = []
        runner.register_hook(RecordHook(lambda r: seen.append((
            torch.get_rng_state(), np.random.get_state()[1].copy(),
            random.getstate()))), 'VERY_LOW')
        runner.train()
        finals.append({k: v.clone()
                       for k, v in runner.model.state_dict().items()})
        states.append(seen)
    assert len(states[0]) == len(states[1]) > 0
    for (t0, n0, r0), (t1, n1, r1) in zip(*states):
        assert torch.equal(t0, t1) and (n0 == n1).all() and r0 == r1
    for key in finals[0]:
        assert torch.equal(finals[0][key], finals[1][key]), key


@pytest.mark.parametrize('bad,message', [
    (dict(ks=[1000]), 'k=1000 exceeds the 96 samples'),
    (dict(layer=4), 'layer=4, but the backbone ResNet_CIFAR returns 1'),
])
def test_bad_k_or_layer_fails_before_training(fmnist_tiny, tmp_path, bad,
                                              message):
    from tests.test_models.dist_scripts.classic_common import RecordHook
    cfg = knn_hook_cfg(fmnist_tiny, str(tmp_path))
    cfg.custom_hooks[0].update(bad)
    runner = Runner.from_cfg(cfg)
    iters = []
    runner.register_hook(RecordHook(lambda r: iters.append(r.iter)))
    with pytest.raises(ValueError, match=message):
        runner.train()
    assert iters == []


def test_bad_hook_config_is_explained(fmnist_tiny):
    cfg = knn_hook_cfg(fmnist_tiny, '/tmp/unused').custom_hooks[0]
    shuffled = dict(cfg, train_dataloader=dict(
        cfg['train_dataloader'], sampler=dict(type='DefaultSampler',
                                              shuffle=True)))
    with pytest.raises(ValueError, match='must not shuffle'):
        HOOKS.build(shuffled)
    with pytest.raises(ValueError, match='interval'):
        HOOKS.build(dict(cfg, interval=0))


def test_dist_knn_script_two_processes_equals_one(fmnist_tiny, tmp_path):
    cfg = knn_hook_cfg(fmnist_tiny, str(tmp_path))
    model = build_model_for_extraction(cfg)
    ckpt = tmp_path / 'model.pth'
    torch.save({'state_dict': model.state_dict()}, ckpt)
    opts = ['--cfg-options', f'knn_train_dataloader.dataset.data_root={fmnist_tiny}',
            f'knn_test_dataloader.dataset.data_root={fmnist_tiny}',
            'knn_train_dataloader.dataset.indices=100',
            'knn_test_dataloader.dataset.indices=50',
            'knn_train_dataloader.num_workers=0',
            'knn_test_dataloader.num_workers=0',
            'model.backbone.base_channels=8', 'model.backbone.stem_channels=8',
            'model.neck.in_channels=64', 'model.neck.hid_channels=32',
            'model.neck.out_channels=16']
    env = dict(os.environ, PYTHON=sys.executable, OMP_NUM_THREADS='1')
    outs = {}
    for gpus in ('0', '2'):
        env.update(GPUS=gpus, OUT_DIR=str(tmp_path / f'out{gpus}'),
                   PORT=str(29500 + os.getpid() % 1000))
        proc = subprocess.run(
            ['bash', osp.join(KNN_DIR, 'dist_test_knn_pretrain.sh'),
             osp.join(REPO_ROOT, 'configs', 'simclr',
                      'simclr_resnet18-cifar-w16_1xb256-adamw-coslr-300i_'
                      'fashion-mnist.py'), str(ckpt), '--ks', '5'] + opts,
            env=env, capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
        assert '| model.pth' in proc.stdout
        outs[gpus] = json.load(open(tmp_path / f'out{gpus}' / 'model.json'))
    _assert_close(outs['0']['results']['model.pth'],
                  outs['2']['results']['model.pth'])


def test_missing_checkpoint_is_explained(tmp_path):
    cfg = osp.join(REPO_ROOT, 'configs', 'simclr',
                   'simclr_resnet18-cifar-w16_1xb256-adamw-coslr-300i_'
                   'fashion-mnist.py')
    proc = subprocess.run(
        ['bash', osp.join(KNN_DIR, 'dist_test_knn_epoch.sh'), cfg, '3'],
        env=dict(os.environ, WORK_DIR=str(tmp_path), PYTHON=sys.executable),
        capture_output=True, text=True, cwd=str(tmp_path))
    assert proc.returncode == 2
    assert osp.join(str(tmp_path), 'epoch_3.pth') in proc.stderr


def test_knn_data_option_supplies_missing_splits(fmnist_tiny, tmp_path):
    """A config without kNN splits (ODC's) gets them from --knn-data."""
    odc = osp.join(REPO_ROOT, 'configs', 'odc',
                   'odc_resnet18-cifar-w16_1xb64-steplr-4e_fashion-mnist.py')
    knn_data = osp.join(REPO_ROOT, 'configs', '_base_', 'datasets',
                        'fashion-mnist_knn.py')
    test_knn = osp.join(KNN_DIR, 'test_knn.py')
    base = [sys.executable, test_knn, odc, '--random-init', '--ks', '5']
    proc = subprocess.run(base, capture_output=True, text=True)
    assert proc.returncode != 0 and '--knn-data' in proc.stderr
    opts = ['--cfg-options',
            f'knn_train_dataloader.dataset.data_root={fmnist_tiny}',
            f'knn_test_dataloader.dataset.data_root={fmnist_tiny}',
            'knn_train_dataloader.dataset.indices=60',
            'knn_test_dataloader.dataset.indices=20',
            'knn_train_dataloader.num_workers=0',
            'knn_test_dataloader.num_workers=0']
    proc = subprocess.run(base + ['--knn-data', knn_data] + opts,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert '| random init' in proc.stdout
