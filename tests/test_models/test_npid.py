"""NPID: loss against a NumPy reference, negatives, configs, training,
resume and 2-process bank consistency."""
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.runner import Runner
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

import mmssl_ext  # noqa: F401
from tests.helpers import run_distributed, tiny_cfg
from tests.test_models.dist_scripts.classic_common import RecordHook

FMNIST_CFG = ('configs/npid/npid_resnet18-cifar-w16_1xb64-steplr-2e_'
              'fashion-mnist.py')


def tiny_npid(length=40, neg_num=16, **kwargs):
    return MODELS.build(dict(
        type='NPID', neg_num=neg_num,
        backbone=dict(type='ResNet_CIFAR', depth=18, stem_channels=8,
                      base_channels=8),
        neck=dict(type='LinearNeck', in_channels=64, out_channels=8,
                  gap_dim=2, norm_cfg=None),
        head=dict(type='ContrastiveHead', loss=dict(type='CrossEntropyLoss'),
                  temperature=0.07),
        memory_bank=dict(type='SimpleMemory', length=length, feat_dim=8,
                         momentum=0.5),
        **kwargs))


def _np_nonparametric_softmax(feat, bank, idx, neg_idx, t):
    """Paper: -log exp(v_i.f/T) / (exp(v_i.f/T) + sum_j exp(v_j.f/T))."""
    feat = feat / np.linalg.norm(feat, axis=1, keepdims=True)
    losses = []
    for b in range(len(idx)):
        pos = bank[idx[b]] @ feat[b] / t
        neg = bank[neg_idx[b]] @ feat[b] / t
        logits = np.concatenate([[pos], neg])
        m = logits.max()
        losses.append(-(pos - m - np.log(np.exp(logits - m).sum())))
    return float(np.mean(losses))


@pytest.mark.parametrize('mode', ['gather', 'dense'])
def test_loss_matches_numpy_reference(mode):
    torch.manual_seed(0)
    model = tiny_npid(logits_mode=mode)
    feat = torch.randn(5, 8)
    idx = torch.tensor([3, 0, 39, 7, 8])
    neg_idx = model.draw_negatives(idx)
    assert neg_idx.shape == (5, 16)
    pos, neg = model.logits(torch.nn.functional.normalize(feat), idx,
                            neg_idx)
    loss = model.head.loss(pos, neg)
    ref = _np_nonparametric_softmax(
        feat.numpy().astype(np.float64),
        model.memory_bank.feature_bank.numpy().astype(np.float64),
        idx.numpy(), neg_idx.numpy(), 0.07)
    assert loss.item() == pytest.approx(ref, rel=1e-4)


def test_gather_and_dense_logits_agree():
    model = tiny_npid(logits_mode='gather')
    feat = torch.nn.functional.normalize(torch.randn(4, 8))
    idx = torch.tensor([1, 2, 3, 4])
    neg_idx = model.draw_negatives(idx)
    pos_g, neg_g = model.logits(feat, idx, neg_idx)
    model.logits_mode = 'dense'
    pos_d, neg_d = model.logits(feat, idx, neg_idx)
    torch.testing.assert_close(neg_g, neg_d)
    torch.testing.assert_close(pos_g, pos_d)
    assert tiny_npid(length=40, neg_num=16).logits_mode == 'dense'
    assert tiny_npid(length=400, neg_num=16).logits_mode == 'gather'


def test_ensure_neg_never_draws_the_sample_itself():
    torch.manual_seed(0)
    model = tiny_npid(length=3, neg_num=200, ensure_neg=True)
    idx = torch.tensor([0, 1, 2, 2])
    neg_idx = model.draw_negatives(idx)
    assert not (neg_idx == idx[:, None]).any()
    plain = tiny_npid(length=3, neg_num=200).draw_negatives(idx)
    assert (plain == idx[:, None]).any()  # the variant matters


def test_loss_step_updates_only_batch_rows():
    model = tiny_npid()
    bank0 = model.memory_bank.feature_bank.clone()
    samples = [DataSample(metainfo=dict(sample_idx=i)) for i in (5, 9)]
    losses = model.loss(torch.randn(2, 3, 16, 16), samples)
    assert losses['loss'].requires_grad
    changed = (model.memory_bank.feature_bank != bank0).any(dim=1)
    assert changed.nonzero().flatten().tolist() == [5, 9]


def test_bad_input_errors():
    with pytest.raises(ValueError, match='logits_mode'):
        tiny_npid(logits_mode='fast')
    with pytest.raises(ValueError, match='at least 2 rows'):
        tiny_npid(length=1, ensure_neg=True)
    model = tiny_npid(length=4)
    samples = [DataSample(metainfo=dict(sample_idx=i)) for i in (1, 6)]
    with pytest.raises(ValueError, match='memory_bank.length'):
        model.loss(torch.randn(2, 3, 16, 16), samples)


def test_train_and_resume_restore_bank_bit_exactly(fmnist_tiny, tmp_path):
    work = str(tmp_path)
    cfg = tiny_cfg(FMNIST_CFG, fmnist_tiny, work, max_iters=2)
    cfg.model.memory_bank.length = 256
    cfg.model.neg_num = 64
    runner = Runner.from_cfg(cfg)
    bank0 = runner.model.memory_bank.feature_bank.clone()
    runner.train()
    bank2 = runner.model.memory_bank.feature_bank.clone()
    assert (bank2 != bank0).any(dim=1).sum() == 16  # 2 iters x 8 samples

    cfg = tiny_cfg(FMNIST_CFG, fmnist_tiny, work, max_iters=3)
    cfg.model.memory_bank.length = 256
    cfg.model.neg_num = 64
    cfg.resume = True
    cfg.load_from = osp.join(work, 'iter_2.pth')
    runner = Runner.from_cfg(cfg)
    seen = {}
    runner.register_hook(RecordHook(lambda r: seen.setdefault(
        r.iter, r.model.memory_bank.feature_bank.clone())), 'VERY_LOW')
    runner.train()
    assert list(seen) == [2]
    assert torch.equal(seen[2], bank2)


def test_two_process_banks_are_identical(fmnist_tiny, tmp_path):
    script = osp.join(osp.dirname(__file__), 'dist_scripts', 'npid_ddp.py')
    run_distributed(script, [fmnist_tiny, str(tmp_path)], nproc=2)
    banks = [torch.load(osp.join(tmp_path, f'bank_rank{r}.pt'))
             for r in range(2)]
    init = torch.load(osp.join(tmp_path, 'bank_init_rank1.pt'))
    assert torch.equal(banks[0], banks[1])
    # 3 iters x 2 ranks x 8 samples, all distinct with a shuffled sampler
    assert (banks[0] != init).any(dim=1).sum() == 48


@pytest.mark.parametrize('length', [255, 300])
def test_bank_not_matching_dataset_stops_before_training(
        fmnist_tiny, tmp_path, length):
    """The NPID configs carry MemoryBankCheckHook: a bank smaller or larger
    than the 256-image training set stops in before_train, before any
    iteration ran (no bank row touched)."""
    cfg = tiny_cfg(FMNIST_CFG, fmnist_tiny, str(tmp_path), max_iters=2)
    assert {'type': 'MemoryBankCheckHook'} in [
        dict(h) for h in cfg.custom_hooks]
    cfg.model.memory_bank.length = length
    cfg.model.neg_num = 64
    runner = Runner.from_cfg(cfg)
    bank0 = runner.model.memory_bank.feature_bank.clone()
    with pytest.raises(ValueError, match=r'training set has 256 samples but '
                       rf'model.memory_bank has length={length}.*to 256'):
        runner.train()
    assert runner.iter == 0
    assert torch.equal(runner.model.memory_bank.feature_bank, bank0)


def test_diverged_step_leaves_bank_and_hook_reports_it():
    """A NaN batch (diverged training) writes nothing into the bank; the
    MemoryBankCheckHook raises at its next check (no sync per step)."""
    from types import SimpleNamespace

    from mmssl_ext.engine.hooks import MemoryBankCheckHook
    model = tiny_npid()
    bank0 = model.memory_bank.feature_bank.clone()
    samples = [DataSample(metainfo=dict(sample_idx=i)) for i in (5, 9)]
    model.loss(torch.full((2, 3, 16, 16), float('nan')), samples)
    assert torch.equal(model.memory_bank.feature_bank, bank0)
    hook = MemoryBankCheckHook(check_finite_interval=4)
    runner = SimpleNamespace(model=model, iter=0)
    hook.after_train_iter(runner, 0)  # not a check iteration
    runner.iter = 3
    with pytest.raises(FloatingPointError, match='diverged'):
        hook.after_train_iter(runner, 3)
    with pytest.raises(FloatingPointError, match='diverged'):
        hook.after_train_epoch(runner)
