import os.path as osp
import sys

import numpy as np
import pytest
import torch
from mmengine.runner import Runner

import mmssl_ext  # noqa: F401
from mmssl_ext.compat.checkpoint import load_checkpoint_file
from mmssl_ext.engine.hooks.deepcluster_hook import CKPT_KEY, DeepClusterHook
from tests.test_engine._clustering_cfg import NUM_SAMPLES, tiny_cfg


def _load(path):
    return load_checkpoint_file(path, map_location='cpu')


def _assert_same_state(a, b):
    sa, sb = a['state_dict'], b['state_dict']
    assert sa.keys() == sb.keys()
    for key in sa:
        assert torch.equal(sa[key], sb[key]), key


def test_train_resume_continues_bit_exactly(fmnist_tiny, tmp_path):
    # uninterrupted: 2 epochs, a checkpoint after each
    full = str(tmp_path / 'full')
    runner = Runner.from_cfg(tiny_cfg('deepcluster', fmnist_tiny, full))
    runner.train()
    hook = [h for h in runner.hooks if isinstance(h, DeepClusterHook)][0]
    dataset = runner.train_dataloader.dataset
    assert (dataset.pseudo_labels == hook.labels).all()
    assert (runner.train_dataloader.sampler.labels == hook.labels).all()
    # MMSelfSup's DeepCluster recipe (reweight=False): uniform loss weights
    assert not hook.reweight
    assert np.allclose(runner.model.loss_weight.numpy(), 0.25, atol=1e-7)
    ck1 = _load(osp.join(full, 'epoch_1.pth'))
    ck2 = _load(osp.join(full, 'epoch_2.pth'))
    assert ck1[CKPT_KEY]['labels'].shape == (NUM_SAMPLES, )
    # re-clustered after epoch 1 (epoch 2 is the last: no re-clustering)
    assert torch.equal(ck2[CKPT_KEY]['labels'], ck1[CKPT_KEY]['labels'])

    # stop after epoch 1, resume in a new run: same labels, weights, and
    # the same state after epoch 2 as the uninterrupted run
    cfg = tiny_cfg('deepcluster', fmnist_tiny, str(tmp_path / 'resumed'))
    cfg.resume = True
    cfg.load_from = osp.join(full, 'epoch_1.pth')
    cfg.experiment_name = 'dc_resumed'
    runner = Runner.from_cfg(cfg)
    runner.train()
    resumed = _load(osp.join(str(tmp_path / 'resumed'), 'epoch_2.pth'))
    assert torch.equal(resumed[CKPT_KEY]['labels'], ck2[CKPT_KEY]['labels'])
    _assert_same_state(resumed, ck2)


def _runner(fmnist_tiny, tmp_path, name, **changes):
    cfg = tiny_cfg('deepcluster', fmnist_tiny, str(tmp_path / name))
    cfg.experiment_name = f'dc_{name}'
    for key, value in changes.items():
        target = cfg
        *parents, leaf = key.split('.')
        for p in parents:
            target = target[int(p)] if p.isdigit() else target[p]
        target[leaf] = value
    runner = Runner.from_cfg(cfg)
    hook = [h for h in runner.hooks if isinstance(h, DeepClusterHook)][0]
    return runner, hook


def test_bad_input_errors(fmnist_tiny, tmp_path, monkeypatch):
    runner, hook = _runner(fmnist_tiny, tmp_path, 'k', **{
        'custom_hooks.0.num_clusters': NUM_SAMPLES + 1,
        'model.head.num_classes': NUM_SAMPLES + 1})
    with pytest.raises(ValueError, match='must not exceed the number'):
        hook.before_train(runner)
    runner, hook = _runner(fmnist_tiny, tmp_path, 'head', **{
        'model.head.num_classes': 5})
    with pytest.raises(ValueError, match='num_classes=5'):
        hook.before_train(runner)
    runner, hook = _runner(fmnist_tiny, tmp_path, 'sampler', **{
        'train_dataloader.sampler': dict(type='DefaultSampler',
                                         shuffle=True)})
    with pytest.raises(TypeError, match='ClusterBalancedSampler'):
        hook.before_train(runner)
    runner, hook = _runner(fmnist_tiny, tmp_path, 'extract', **{
        'custom_hooks.0.extract_dataloader.dataset.indices': 10})
    with pytest.raises(ValueError, match='same samples'):
        hook.before_train(runner)
    monkeypatch.setitem(sys.modules, 'faiss', None)
    with pytest.raises(ImportError, match='pip install faiss-cpu'):
        hook.before_train(runner)


def test_unwrapped_dataset_and_persistent_workers(fmnist_tiny, tmp_path):
    cfg = tiny_cfg('deepcluster', fmnist_tiny, str(tmp_path / 'w'))
    cfg.experiment_name = 'dc_unwrapped'
    cfg.train_dataloader.dataset = cfg.train_dataloader.dataset.dataset
    runner = Runner.from_cfg(cfg)
    hook = [h for h in runner.hooks if isinstance(h, DeepClusterHook)][0]
    with pytest.raises(TypeError, match='PseudoLabelDataset'):
        hook.before_train(runner)
    cfg = tiny_cfg('deepcluster', fmnist_tiny, str(tmp_path / 'p'))
    cfg.experiment_name = 'dc_persistent'
    cfg.train_dataloader.update(num_workers=1, persistent_workers=True)
    runner = Runner.from_cfg(cfg)
    hook = [h for h in runner.hooks if isinstance(h, DeepClusterHook)][0]
    with pytest.raises(ValueError, match='persistent_workers=False'):
        hook.before_train(runner)


def test_reweight_option_sets_inverse_frequency_weights(fmnist_tiny,
                                                        tmp_path):
    # our option on top of MMSelfSup's balanced sampling
    runner, hook = _runner(fmnist_tiny, tmp_path, 'reweight',
                           **{'custom_hooks.0.reweight': True})
    hook.before_train(runner)
    sizes = np.bincount(hook.labels, minlength=4)
    w = sizes**-0.5 / (sizes**-0.5).sum()
    assert np.allclose(runner.model.loss_weight.numpy(), w, atol=1e-7)
