import numpy as np
import pytest
import torch

import mmssl_ext  # noqa: F401
from mmpretrain.registry import HOOKS, MODELS
from mmpretrain.structures import DataSample


def _cfg(**memory):
    mem = dict(type='ODCMemory', length=20, feat_dim=16, num_classes=4,
               min_cluster=2)
    mem.update(memory)
    return dict(
        type='ODC',
        backbone=dict(type='ResNet_CIFAR', depth=18, stem_channels=8,
                      base_channels=8),
        neck=dict(type='ODCNeck', in_channels=64, hid_channels=32,
                  out_channels=16),
        head=dict(type='ClusterHead', in_channels=16, num_classes=4),
        memory_bank=mem)


def _model():
    model = MODELS.build(_cfg())
    rng = np.random.default_rng(0)
    model.memory_bank.init_memory(rng.normal(size=(20, 16)),
                                  np.arange(20) % 4)
    return model


def _samples(idx):
    return [DataSample(metainfo=dict(sample_idx=i)) for i in idx]


def test_loss_reads_memory_labels_then_updates_memory():
    model = _model()
    model.eval()  # deterministic neck (dropout, BN) for the reference
    idx = [3, 8, 11, 19]
    x = torch.randn(4, 3, 32, 32)
    labels_before = model.memory_bank.label_bank[idx].clone()
    bank_before = model.memory_bank.feature_bank.clone()
    feats = model.extract_cluster_feat(x)
    logits = model.head(feats)
    ref = torch.nn.functional.cross_entropy(logits, labels_before,
                                            weight=model.loss_weight)
    losses = model.loss(x, _samples(idx))
    assert float(losses['loss']) == pytest.approx(float(ref), rel=1e-5)
    assert 0 <= float(losses['change_ratio']) <= 1
    changed = (model.memory_bank.feature_bank != bank_before).any(1)
    assert changed.nonzero().view(-1).tolist() == idx


def test_set_reweight_from_memory():
    model = _model()
    model.memory_bank.label_bank[:10] = 0
    model.set_reweight()
    sizes = np.bincount(model.memory_bank.label_bank.numpy(), minlength=4)
    w = sizes**-0.5 / (sizes**-0.5).sum()
    assert np.allclose(model.loss_weight.numpy(), w, atol=1e-7)


def test_state_dict_holds_memory():
    keys = set(_model().state_dict())
    for k in ('memory_bank.feature_bank', 'memory_bank.label_bank',
              'memory_bank.centroids', 'memory_bank.initialized',
              'loss_weight'):
        assert k in keys


def test_bad_input_errors():
    with pytest.raises(ValueError, match='feat_dim'):
        MODELS.build(_cfg(feat_dim=8))
    with pytest.raises(ValueError, match='same value'):
        MODELS.build(_cfg(num_classes=5))
    with pytest.raises(ValueError, match='must not exceed'):
        MODELS.build(_cfg(length=3))
    model = _model()
    x = torch.randn(2, 3, 32, 32)
    with pytest.raises(KeyError, match='sample_idx'):
        model.loss(x, [DataSample(), DataSample()])
    with pytest.raises(IndexError, match='memory_bank.length'):
        model.loss(x, _samples([0, 25]))
    fresh = MODELS.build(_cfg())
    with pytest.raises(RuntimeError, match='init_memory'):
        fresh.loss(x, _samples([0, 1]))


def test_diverged_step_leaves_memory_and_hook_reports_it():
    from types import SimpleNamespace
    from unittest.mock import MagicMock
    model = _model()
    before = {k: v.clone() for k, v in model.memory_bank.state_dict().items()}
    model.loss(torch.full((2, 3, 32, 32), float('nan')), _samples([3, 8]))
    for key, value in model.memory_bank.state_dict().items():
        assert torch.equal(value, before[key]), key
    hook = HOOKS.build(dict(type='ODCHook', evaluate_interval=2))
    runner = SimpleNamespace(model=model, iter=1, message_hub=MagicMock(),
                             logger=MagicMock())
    with pytest.raises(FloatingPointError, match='diverged'):
        hook.after_train_iter(runner, 1)
