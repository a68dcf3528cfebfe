import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.hooks import Hook
from mmengine.runner import Runner

import mmssl_ext  # noqa: F401
from mmssl_ext.compat.checkpoint import load_checkpoint_file
from mmssl_ext.engine.hooks import ODCHook
from tests.helpers import run_distributed
from tests.test_engine._clustering_cfg import NUM_SAMPLES, tiny_cfg

MEMORY_KEYS = ('memory_bank.feature_bank', 'memory_bank.label_bank',
               'memory_bank.centroids', 'memory_bank.initialized',
               'loss_weight')


class _StateProbe(Hook):
    """Copies the model state when training starts (after resume)."""

    def before_train(self, runner):
        self.state = {k: v.clone()
                      for k, v in runner.model.state_dict().items()}


def _load(path):
    return load_checkpoint_file(path, map_location='cpu')


def test_train_resume_continues_bit_exactly(fmnist_tiny, tmp_path):
    full = str(tmp_path / 'full')
    cfg = tiny_cfg('odc', fmnist_tiny, full)
    cfg.custom_hooks[1].save_labels_interval = 1
    runner = Runner.from_cfg(cfg)
    runner.train()
    memory = runner.model.memory_bank
    assert bool(memory.initialized)
    assert (memory.cluster_sizes() > 0).all()
    assert torch.isfinite(memory.feature_bank).all()
    norms = memory.feature_bank.norm(dim=1)
    assert torch.allclose(norms, torch.ones_like(norms), atol=1e-4)
    saved = np.load(osp.join(full, 'cluster_epoch_2.npy'))
    assert (saved == memory.label_bank.numpy()).all()
    sizes = memory.cluster_sizes().double()
    w = sizes**-0.5 / (sizes**-0.5).sum()
    assert torch.allclose(runner.model.loss_weight.double(), w, atol=1e-7)
    ck1 = _load(osp.join(full, 'epoch_1.pth'))['state_dict']
    ck2 = _load(osp.join(full, 'epoch_2.pth'))['state_dict']
    for key in MEMORY_KEYS:
        assert key in ck1
    # the memory moved during epoch 2
    assert not torch.equal(ck1['memory_bank.feature_bank'],
                           ck2['memory_bank.feature_bank'])

    # resume from epoch 1: the banks are restored bit-exactly ...
    cfg = tiny_cfg('odc', fmnist_tiny, str(tmp_path / 'resumed'))
    cfg.resume = True
    cfg.load_from = osp.join(full, 'epoch_1.pth')
    cfg.experiment_name = 'odc_resumed'
    runner = Runner.from_cfg(cfg)
    probe = _StateProbe()
    runner.register_hook(probe, priority='LOWEST')
    runner.train()
    for key in MEMORY_KEYS:
        assert torch.equal(probe.state[key], ck1[key]), key
    # ... and training continues to the uninterrupted run's state
    resumed = _load(osp.join(str(tmp_path / 'resumed'),
                             'epoch_2.pth'))['state_dict']
    assert resumed.keys() == ck2.keys()
    for key in ck2:
        assert torch.equal(resumed[key], ck2[key]), key


def test_memory_length_must_match_dataset(fmnist_tiny, tmp_path):
    cfg = tiny_cfg('odc', fmnist_tiny, str(tmp_path / 'len'))
    cfg.experiment_name = 'odc_len'
    cfg.model.memory_bank.length = NUM_SAMPLES + 3
    runner = Runner.from_cfg(cfg)
    hook = [h for h in runner.hooks if isinstance(h, ODCHook)][0]
    with pytest.raises(ValueError, match=rf'{NUM_SAMPLES} samples but model'
                       rf'.memory_bank has length={NUM_SAMPLES + 3}.*'
                       rf'length \(num_train_samples.*to {NUM_SAMPLES}'):
        hook.before_train(runner)
    with pytest.raises(ValueError, match='>= 1'):
        ODCHook(centroids_update_interval=0)


# 2-process gloo run of ODC and DeepCluster (script next to this file)
SCRIPT = osp.join(osp.dirname(__file__), 'dist_scripts', 'clustering_ddp.py')


def test_two_ranks_hold_identical_state(fmnist_tiny, tmp_path):
    run_distributed(SCRIPT, [fmnist_tiny, str(tmp_path)], nproc=2)

    def load(name):
        return load_checkpoint_file(str(tmp_path / name))

    odc = [load(f'odc_rank{r}.pt') for r in range(2)]
    # 64 samples, 8 per rank per step -> 4 steps per rank
    assert odc[0]['iters'] == odc[1]['iters'] == NUM_SAMPLES // 16
    for key in ('feature_bank', 'label_bank', 'centroids', 'labels',
                'loss_weight', 'init_bank'):
        assert torch.equal(odc[0][key], odc[1][key]), key
    # the steps changed exactly the rows the ranks drew (with replacement,
    # as MMSelfSup's ODC: not every sample is seen in an epoch)
    changed = (odc[0]['feature_bank'] != odc[0]['init_bank']).any(1)
    drawn = torch.cat([odc[0]['sampler_indices'], odc[1]['sampler_indices']])
    assert changed.nonzero().view(-1).tolist() == sorted(set(drawn.tolist()))
    assert len(set(drawn.tolist())) < NUM_SAMPLES
    assert (torch.bincount(odc[0]['label_bank'], minlength=4) > 0).all()

    dc = [load(f'deepcluster_rank{r}.pt') for r in range(2)]
    for key in ('labels', 'dataset_labels', 'loss_weight'):
        assert torch.equal(dc[0][key], dc[1][key]), key
    assert torch.equal(dc[0]['labels'], dc[0]['dataset_labels'])
    for key in dc[0]['head']:
        assert torch.equal(dc[0]['head'][key], dc[1]['head'][key]), key
    # the balanced sampler shards one epoch between the ranks
    s0, s1 = dc[0]['sampler_indices'], dc[1]['sampler_indices']
    assert len(s0) == len(s1) == NUM_SAMPLES // 2


def test_memory_length_fails_before_extraction(fmnist_tiny, tmp_path,
                                               monkeypatch):
    """The whole-dataset extraction and clustering of DeepClusterHook
    (init_memory) must not run for a memory that cannot hold the result."""
    from mmssl_ext.engine.hooks import DeepClusterHook
    cfg = tiny_cfg('odc', fmnist_tiny, str(tmp_path / 'early'))
    cfg.experiment_name = 'odc_early'
    cfg.model.memory_bank.length = NUM_SAMPLES + 3
    runner = Runner.from_cfg(cfg)

    def extract(*args, **kwargs):
        pytest.fail('extracted features before checking the memory length')

    monkeypatch.setattr(DeepClusterHook, 'extract', extract)
    with pytest.raises(ValueError, match=rf'{NUM_SAMPLES} samples but model'
                       rf'.memory_bank has length={NUM_SAMPLES + 3}'):
        runner.train()
