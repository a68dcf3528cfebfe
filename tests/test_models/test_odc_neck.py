"""ODCNeck against a NumPy re-implementation of MMSelfSup's ODCNeck:
avgpool -> fc0 -> BN(affine=False, momentum=0.001) -> ReLU -> Dropout(0.5)
-> fc1 -> ReLU, Linear layers with PyTorch's default initialisation."""
import numpy as np
import pytest
import torch

import mmssl_ext  # noqa: F401
from mmpretrain.registry import MODELS


def _neck(**kw):
    cfg = dict(type='ODCNeck', in_channels=6, hid_channels=5, out_channels=4)
    cfg.update(kw)
    neck = MODELS.build(cfg)
    neck.init_weights()
    return neck


def _fixed_weights(neck):
    rng = np.random.default_rng(0)
    params = {}
    for name in ('fc0', 'fc1'):
        fc = getattr(neck, name)
        w = rng.normal(size=tuple(fc.weight.shape))
        b = rng.normal(size=tuple(fc.bias.shape))
        fc.weight.data.copy_(torch.from_numpy(w))
        fc.bias.data.copy_(torch.from_numpy(b))
        params[name] = (w, b)
    return params


def _reference(x, params, mean, var, eps=1e-5):
    """x: (N, C, H, W) -> (N, out); BN with the given statistics."""
    h = x.mean(axis=(2, 3))
    w0, b0 = params['fc0']
    h = h @ w0.T + b0
    h = (h - mean) / np.sqrt(var + eps)
    h = np.maximum(h, 0)  # dropout: identity in eval / with the mask below
    w1, b1 = params['fc1']
    return np.maximum(h @ w1.T + b1, 0)


def test_eval_output_matches_reference():
    neck = _neck().double().eval()
    params = _fixed_weights(neck)
    rng = np.random.default_rng(1)
    mean, var = rng.normal(size=5), rng.uniform(0.5, 2, size=5)
    neck.bn0.running_mean.copy_(torch.from_numpy(mean))
    neck.bn0.running_var.copy_(torch.from_numpy(var))
    x = rng.normal(size=(3, 6, 4, 4))
    out = neck((torch.from_numpy(x), ))
    assert isinstance(out, tuple) and len(out) == 1
    ref = _reference(x, params, mean, var)
    np.testing.assert_allclose(out[0].detach().numpy(), ref, atol=1e-10)
    assert (out[0] >= 0).all() and (ref == 0).any() and (ref > 0).any()


def test_train_output_batch_statistics_and_running_update():
    neck = _neck(dropout=0.0).double().train()
    params = _fixed_weights(neck)
    x = np.random.default_rng(2).normal(size=(8, 6, 3, 3))
    out = neck((torch.from_numpy(x), ))[0].detach().numpy()
    w0, b0 = params['fc0']
    h = x.mean(axis=(2, 3)) @ w0.T + b0
    ref = _reference(x, params, h.mean(0), h.var(0))  # biased variance
    np.testing.assert_allclose(out, ref, atol=1e-8)
    # running statistics move by momentum 0.001 from (0, 1)
    np.testing.assert_allclose(neck.bn0.running_mean.numpy(),
                               0.001 * h.mean(0), atol=1e-12)
    np.testing.assert_allclose(neck.bn0.running_var.numpy(),
                               0.999 + 0.001 * h.var(0, ddof=1), atol=1e-12)


def test_structure_as_reference():
    neck = _neck()
    assert neck.bn0.weight is None and neck.bn0.momentum == 0.001
    assert neck.dropout.p == 0.5
    assert not hasattr(neck, 'bn1')
    assert not any('bn1' in k for k in neck.state_dict())


def test_linear_layers_keep_pytorch_default_init():
    torch.manual_seed(0)
    neck = MODELS.build(dict(type='ODCNeck', in_channels=256,
                             hid_channels=512, out_channels=256))
    neck.init_weights()
    for fc in (neck.fc0, neck.fc1):
        bound = 1 / np.sqrt(fc.in_features)  # kaiming_uniform(a=sqrt(5))
        w = fc.weight.detach()
        assert float(w.abs().max()) <= bound
        assert float(w.std()) == pytest.approx(bound / np.sqrt(3), rel=0.05)
        assert float(fc.bias.detach().abs().max()) <= bound
        assert float(fc.bias.detach().abs().max()) > 0
