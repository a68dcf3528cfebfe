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


@pytest.mark.parametrize('momentum', [0.3, 0.5, 0.9, 1.0])
def test_update_matches_numpy_reference(momentum):
    # MMSelfSup's SimpleMemory: momentum weights the NEW (normalised)
    # feature, row <- normalize((1 - m) * row + m * normalize(feature))
    mem = SimpleMemory(length=20, feat_dim=6, momentum=momentum)
    bank0 = mem.feature_bank.numpy().astype(np.float64)
    idx = torch.tensor([4, 0, 17])
    feat = torch.randn(3, 6) * 5  # not normalised on purpose
    mem.update(idx, feat)
    f = _np_normalize(feat.numpy().astype(np.float64))
    expected = bank0.copy()
    expected[idx.numpy()] = _np_normalize(
        (1 - momentum) * bank0[idx.numpy()] + momentum * f)
    np.testing.assert_allclose(mem.feature_bank.numpy(), expected, atol=1e-6)


def test_same_momentum_convention_as_odc_memory():
    from mmssl_ext.models.memories.odc_memory import ODCMemory
    n, d, m = 12, 5, 0.2
    rng = np.random.default_rng(0)
    bank = _np_normalize(rng.normal(size=(n, d)))
    simple = SimpleMemory(length=n, feat_dim=d, momentum=m)
    simple.feature_bank.copy_(torch.from_numpy(bank).float())
    odc = ODCMemory(length=n, feat_dim=d, num_classes=2, momentum=m)
    odc.init_memory(bank, np.arange(n) % 2)
    idx, feat = torch.tensor([1, 7]), torch.randn(2, d)
    simple.update(idx, feat)
    odc.update_samples_memory(idx, feat)
    np.testing.assert_allclose(simple.feature_bank.numpy(),
                               odc.feature_bank.numpy(), atol=1e-6)


def test_momentum_other_than_half_warns_once(monkeypatch):
    from mmssl_ext.models.memories import simple_memory
    monkeypatch.setattr(simple_memory, '_WARNED', set())
    logged = []
    monkeypatch.setattr(simple_memory, 'print_log',
                        lambda msg, **kw: logged.append((msg, kw)))
    SimpleMemory(length=3, momentum=0.5)
    assert logged == []
    SimpleMemory(length=3, momentum=0.9)
    SimpleMemory(length=3, momentum=0.9)
    assert len(logged) == 1
    msg, kw = logged[0]
    assert 'weight of the NEW feature' in msg and 'momentum=0.1' in msg
    assert 'CHANGELOG.md' in msg and kw['level'] == 30  # logging.WARNING


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
    with pytest.raises(ValueError, match='weight of the new feature'):
        SimpleMemory(length=3, momentum=0.0)


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


def test_non_finite_features_write_nothing_and_are_reported():
    mem = SimpleMemory(length=6, feat_dim=4)
    bank0 = mem.feature_bank.clone()
    feats = torch.randn(2, 4)
    feats[0, 0] = float('inf')
    mem.update(torch.tensor([1, 3]), feats)
    assert torch.equal(mem.feature_bank, bank0)
    with pytest.raises(FloatingPointError, match='diverged'):
        mem.check_finite()
    bad = torch.randn(6, 4)
    bad[5] = float('nan')
    with pytest.raises(FloatingPointError, match='1 of 6 samples'):
        mem.init_memory(bad)
    assert torch.equal(mem.feature_bank, bank0)


def test_index_check_skips_device_tensors():
    mem = SimpleMemory(length=4, feat_dim=4)
    mem.check_indices(torch.tensor([7], device='meta'))  # no data read
    with pytest.raises(IndexError, match='smaller than the training set'):
        mem.check_indices(torch.tensor([7]))
