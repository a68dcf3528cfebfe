"""SimpleMemory + AliasSampler: update math against a NumPy reference."""
import numpy as np
import pytest
import torch

from mmssl_ext.models.memories.alias_sampler import AliasSampler
from mmssl_ext.models.memories.simple_memory import SimpleMemory


def _np_normalize(x):
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_bank_is_normalised_and_seeded_identically():
    a = SimpleMemory(length=50, feat_dim=8, init_seed=3)
    torch.manual_seed(123)  # the per-rank training seed must not matter
    b = SimpleMemory(length=50, feat_dim=8, init_seed=3)
    assert torch.equal(a.feature_bank, b.feature_bank)
    np.testing.assert_allclose(a.feature_bank.norm(dim=1).numpy(), 1,
                               rtol=1e-6)
    assert 'feature_bank' in a.state_dict()


def test_update_matches_numpy_reference():
    mem = SimpleMemory(length=20, feat_dim=6, momentum=0.3)
    bank0 = mem.feature_bank.numpy().copy()
    idx = torch.tensor([4, 0, 17])
    feat = torch.randn(3, 6) * 5  # not normalised on purpose
    mem.update(idx, feat)
    f = _np_normalize(feat.numpy())
    expected = bank0.copy()
    expected[idx.numpy()] = _np_normalize(0.3 * bank0[idx.numpy()] +
                                          0.7 * f)
    np.testing.assert_allclose(mem.feature_bank.numpy(), expected, atol=1e-6)


def test_update_with_repeated_index_uses_last_feature():
    mem = SimpleMemory(length=5, feat_dim=4, momentum=0.5)
    bank0 = mem.feature_bank.clone()
    feats = torch.randn(3, 4)
    mem.update(torch.tensor([2, 2, 1]), feats)
    ref = SimpleMemory(length=5, feat_dim=4, momentum=0.5)
    ref.update(torch.tensor([2, 1]), feats[1:])
    assert torch.equal(mem.feature_bank, ref.feature_bank)
    assert not torch.equal(mem.feature_bank, bank0)


def test_bank_smaller_than_dataset_is_a_clear_error():
    mem = SimpleMemory(length=4, feat_dim=4)
    with pytest.raises(ValueError, match='smaller than the training set'):
        mem.update(torch.tensor([1, 4]), torch.randn(2, 4))
    with pytest.raises(ValueError, match='memory_bank.length'):
        SimpleMemory(length=0)
    with pytest.raises(ValueError, match='momentum'):
        SimpleMemory(length=3, momentum=1.0)


def test_alias_sampler_uniform_and_weighted():
    torch.manual_seed(0)
    uniform = AliasSampler(torch.ones(7))
    draws = uniform.draw(70000)
    counts = torch.bincount(draws, minlength=7).float() / 70000
    assert draws.min() >= 0 and draws.max() < 7
    np.testing.assert_allclose(counts.numpy(), 1 / 7, atol=0.01)

    probs = torch.tensor([0.1, 0.0, 0.5, 0.15, 0.25])
    weighted = AliasSampler(probs * 3)  # unnormalised weights
    counts = torch.bincount(weighted.draw(200000), minlength=5).float()
    np.testing.assert_allclose((counts / 200000).numpy(), probs.numpy(),
                               atol=0.006)
    assert counts[1] == 0
    with pytest.raises(ValueError, match='non-negative'):
        AliasSampler(torch.tensor([1.0, -1.0]))
