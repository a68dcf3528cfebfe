"""RNGStateHook: every rank's generators are checkpointed, so a resumed run
with the recipes' random augmentation (and dropout, NPID negatives) ends with
the weights and state of the uninterrupted run."""
import io
import os.path as osp
import random

import numpy as np
import pytest
import torch
from mmengine.runner import Runner

import mmssl_ext  # noqa: F401
from mmssl_ext.engine.hooks.rng_state_hook import get_rng_state, set_rng_state
from tests.helpers import run_distributed, tiny_cfg
from tests.test_engine._clustering_cfg import tiny_cfg as clustering_cfg

CLASSIC = {
    'npid': 'configs/npid/npid_resnet18-cifar-w16_1xb64-steplr-2e_'
            'fashion-mnist.py',
    'rotation_pred': 'configs/rotation_pred/rotation-pred_resnet18-cifar-'
                     'w16_1xb64-steplr-2e_fashion-mnist.py',
    'relative_loc': 'configs/relative_loc/relative-loc_resnet18-cifar-w16_'
                    '1xb32-steplr-2e_fashion-mnist-96px.py',
}


def _draws():
    return (random.random(), np.random.rand(), torch.rand(1).item())


def test_state_round_trip_and_weights_only():
    torch.manual_seed(1)
    np.random.seed(2)
    random.seed(3)
    np.random.randn()  # a cached gaussian is part of numpy's state
    state = get_rng_state()
    expected = _draws()
    buffer = io.BytesIO()
    torch.save(state, buffer)
    buffer.seek(0)
    loaded = torch.load(buffer, weights_only=True)
    _draws()
    set_rng_state(loaded)
    assert _draws() == expected


def _classic_cfg(algo, data_root, work_dir, max_iters, rng_hook):
    cfg = tiny_cfg(CLASSIC[algo], data_root, work_dir, max_iters=max_iters,
                   batch_size=4, ckpt_interval=2)
    if algo == 'npid':
        cfg.model.memory_bank.length = 256
        cfg.model.neg_num = 64
    # the recipes carry the hook (configs/_base_/default_runtime.py)
    assert cfg.default_hooks.rng_state == dict(type='RNGStateHook')
    if not rng_hook:
        cfg.default_hooks.pop('rng_state')
    return cfg


def _final_state(runner):
    return {k: v.detach().clone()
            for k, v in runner.model.state_dict().items()}


def _assert_close(a, b, rtol=0, atol=1e-6):
    assert a.keys() == b.keys()
    for key in a:
        if a[key].is_floating_point():
            torch.testing.assert_close(a[key], b[key], rtol=rtol, atol=atol,
                                       msg=key)
        else:
            assert torch.equal(a[key], b[key]), key


def _differs(a, b):
    return any(not torch.allclose(a[k].float(), b[k].float(), atol=1e-6)
               for k in a)


@pytest.mark.parametrize('algo', sorted(CLASSIC))
def test_iter_based_resume_is_exact(fmnist_tiny, tmp_path, algo):
    """Random crops/flips/jitter, NPID's negatives: 4 iterations in one go
    equal 2 + resume + 2 (IterBasedTrainLoop: mmengine re-draws the 2
    skipped batches, the generators are restored after them)."""
    full = Runner.from_cfg(_classic_cfg(algo, fmnist_tiny,
                                        str(tmp_path / 'full'), 4, True))
    full.train()
    expected = _final_state(full)

    cfg = _classic_cfg(algo, fmnist_tiny, str(tmp_path / 'full'), 4, True)
    cfg.work_dir = str(tmp_path / 'resumed')
    cfg.resume = True
    cfg.load_from = osp.join(str(tmp_path / 'full'), 'iter_2.pth')
    resumed = Runner.from_cfg(cfg)
    resumed.train()
    _assert_close(_final_state(resumed), expected)


def test_without_the_hook_resume_differs(fmnist_tiny, tmp_path):
    """The control: mmengine alone restores only the seed."""
    full = Runner.from_cfg(_classic_cfg('npid', fmnist_tiny,
                                        str(tmp_path / 'full'), 4, False))
    full.train()
    cfg = _classic_cfg('npid', fmnist_tiny, str(tmp_path / 'full'), 4, False)
    cfg.work_dir = str(tmp_path / 'resumed')
    cfg.resume = True
    cfg.load_from = osp.join(str(tmp_path / 'full'), 'iter_2.pth')
    resumed = Runner.from_cfg(cfg)
    resumed.train()
    assert _differs(_final_state(resumed), _final_state(full))


def test_epoch_based_odc_resume_is_exact(fmnist_tiny, tmp_path):
    """ODC with its recipe's random pipeline and dropout 0.5 (the clustering
    tests use a deterministic pipeline and dropout 0 because nothing restored
    the generators): banks, labels, centroids and weights after 2 epochs equal
    epoch 1 + resume + epoch 2."""
    from mmengine.config import Config

    from tests.test_engine._clustering_cfg import ODC_CFG

    def cfg_for(work):
        cfg = clustering_cfg('odc', fmnist_tiny, work)
        recipe = Config.fromfile(ODC_CFG)
        cfg.train_dataloader.dataset.pipeline = \
            recipe.train_dataloader.dataset.pipeline
        cfg.model.neck.dropout = 0.5
        # the recipe carries the hook (configs/_base_/default_runtime.py)
        assert cfg.default_hooks.rng_state == dict(type='RNGStateHook')
        return cfg

    full = Runner.from_cfg(cfg_for(str(tmp_path / 'full')))
    full.train()
    cfg = cfg_for(str(tmp_path / 'resumed'))
    cfg.resume = True
    cfg.load_from = osp.join(str(tmp_path / 'full'), 'epoch_1.pth')
    resumed = Runner.from_cfg(cfg)
    resumed.train()
    _assert_close(_final_state(resumed), _final_state(full))


def test_two_processes_each_rank_gets_its_own_state(fmnist_tiny, tmp_path):
    script = osp.join(osp.dirname(__file__), 'dist_scripts', 'rng_state_ddp.py')
    run_distributed(script, [fmnist_tiny, str(tmp_path)], nproc=2)
    ckpt = torch.load(osp.join(tmp_path, 'iter_2.pth'), weights_only=False)
    saved = ckpt['rng_state']
    assert saved['world_size'] == 2
    # ranks draw differently (the sampler shards, the seeds are per rank)...
    assert not torch.equal(saved['states'][0]['torch'],
                           saved['states'][1]['torch'])
    for rank in range(2):
        # ... and each rank got its own state back at the resume
        restored = torch.load(osp.join(tmp_path, f'restored_rank{rank}.pt'),
                              weights_only=False)
        assert torch.equal(restored, saved['states'][rank]['torch'])
