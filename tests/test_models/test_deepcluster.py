import numpy as np
import pytest
import torch

import mmssl_ext  # noqa: F401
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

TINY = dict(
    type='DeepCluster',
    data_preprocessor=dict(type='SobelDataPreprocessor', mean=[72.9] * 3,
                           std=[90.0] * 3),
    backbone=dict(type='ResNet_CIFAR', depth=18, in_channels=2,
                  stem_channels=8, base_channels=8),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(type='ClusterHead', in_channels=64, num_classes=5))


def _batch(n=6, seed=0):
    g = torch.Generator().manual_seed(seed)
    inputs = torch.randint(0, 256, (n, 3, 32, 32), generator=g,
                           dtype=torch.uint8)
    samples = [DataSample().set_gt_label(i % 5) for i in range(n)]
    return dict(inputs=inputs, data_samples=samples)


def _reference_sobel(img, gray_weights=(1 / 3, 1 / 3, 1 / 3)):
    """MMSelfSup's Sobel layer, re-implemented: a 1x1 conv 3 -> 1 with all
    weights 1/3 and zero bias, then a 3x3 conv 1 -> 2 (padding 1, zero bias)
    with the kernels [[1,0,-1],[2,0,-2],[1,0,-1]] and
    [[1,2,1],[0,0,0],[-1,-2,-1]], applied to the normalised image."""
    grey = np.tensordot(np.asarray(gray_weights), img, axes=([0], [0]))
    pad = np.pad(grey, 1)
    k = [np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]]),
         np.array([[1, 2, 1], [0, 0, 0], [-1, -2, -1]])]
    h, w = grey.shape
    out = np.zeros((2, h, w))
    for c in range(2):
        for i in range(h):
            for j in range(w):
                out[c, i, j] = (pad[i:i + 3, j:j + 3] * k[c]).sum()
    return out


def test_sobel_matches_reference():
    model = MODELS.build(TINY)
    data = model.data_preprocessor(_batch(), False)
    x = data['inputs']
    assert x.shape == (6, 2, 32, 32)
    img = ((_batch()['inputs'].double() - 72.9) / 90.0).numpy()
    for n in (0, 3):
        assert np.allclose(x[n].numpy(), _reference_sobel(img[n]),
                           atol=1e-4)


def test_sobel_weights_are_mmselfsup_layer():
    from mmssl_ext.models.data_preprocessors.sobel_data_preprocessor import (
        GRAY_WEIGHTS, sobel_kernels)
    assert np.allclose(GRAY_WEIGHTS['mean'], [1 / 3] * 3)
    k = sobel_kernels().numpy()
    assert k.shape == (2, 1, 3, 3)
    assert (k[0, 0] == [[1, 0, -1], [2, 0, -2], [1, 0, -1]]).all()
    assert (k[1, 0] == [[1, 2, 1], [0, 0, 0], [-1, -2, -1]]).all()
    # the same numbers through torch convolutions built like MMSelfSup's
    grey = torch.nn.Conv2d(3, 1, 1)
    grey.weight.data.fill_(1 / 3)
    grey.bias.data.zero_()
    sob = torch.nn.Conv2d(1, 2, 3, padding=1)
    sob.weight.data.copy_(torch.tensor(k))
    sob.bias.data.zero_()
    x = torch.randn(2, 3, 9, 7)
    pre = MODELS.build(dict(type='SobelDataPreprocessor'))
    with torch.no_grad():
        assert torch.allclose(pre._sobel(x), sob(grey(x)), atol=1e-5)


def test_sobel_luma_option_and_cls_twin():
    img = ((_batch()['inputs'].double() - 72.9) / 90.0).numpy()
    luma = MODELS.build(dict(TINY, data_preprocessor=dict(
        type='SobelDataPreprocessor', mean=[72.9] * 3, std=[90.0] * 3,
        gray='luma')))
    x = luma.data_preprocessor(_batch(), False)['inputs']
    assert np.allclose(x[1].numpy(),
                       _reference_sobel(img[1], (0.299, 0.587, 0.114)),
                       atol=1e-4)
    cls = MODELS.build(dict(type='SobelClsDataPreprocessor', mean=[72.9] * 3,
                            std=[90.0] * 3))
    out = cls(_batch(), False)['inputs']
    assert np.allclose(out[2].numpy(), _reference_sobel(img[2]), atol=1e-4)
    with pytest.raises(ValueError, match="'mean' is MMSelfSup's"):
        MODELS.build(dict(type='SobelDataPreprocessor', gray='bt709'))


def test_loss_is_weighted_cross_entropy():
    model = MODELS.build(TINY)
    labels = np.array([0, 0, 0, 1, 2, 2, 3, 4, 4, 4])
    model.set_reweight(labels, 0.5)
    sizes = np.bincount(labels, minlength=5).astype(np.float64)
    w = sizes**-0.5 / (sizes**-0.5).sum()
    assert np.allclose(model.loss_weight.numpy(), w, atol=1e-7)
    model.eval()  # BN in eval: a deterministic forward to compare against
    data = model.data_preprocessor(_batch(), False)
    losses = model.loss(data['inputs'], data['data_samples'])
    logits = model.head(model.neck(model.backbone(data['inputs'])))
    target = torch.arange(6) % 5
    logp = torch.log_softmax(logits.double(), 1)
    wt = torch.from_numpy(w)[target]
    ref = -(wt * logp[torch.arange(6), target]).sum() / wt.sum()
    assert float(losses['loss']) == pytest.approx(float(ref), rel=1e-5)
    # train mode step produces gradients
    model.train()
    model.loss(data['inputs'], data['data_samples'])['loss'].backward()
    assert model.backbone.conv1.weight.grad is not None


def test_head_reinit_and_loss_weight_in_state_dict():
    model = MODELS.build(TINY)
    assert 'loss_weight' in model.state_dict()
    assert 'data_preprocessor.sobel_kernels' not in model.state_dict()
    before = model.head.fc.weight.detach().clone()
    model.head.init_weights()
    assert not torch.equal(before, model.head.fc.weight)
    assert model.head.fc.bias.abs().sum() == 0


def test_bad_input_errors():
    model = MODELS.build(TINY)
    data = model.data_preprocessor(_batch(), False)
    with pytest.raises(KeyError, match='PseudoLabelDataset'):
        model.loss(data['inputs'], [DataSample() for _ in range(6)])
    with pytest.raises(ValueError, match='num_classes'):
        model.head.loss(torch.randn(2, 64), torch.tensor([0, 7]))
    with pytest.raises(ValueError, match='in_channels'):
        model.head(torch.randn(2, 63))
    with pytest.raises(ValueError, match=r'\(N, 3, H, W\)'):
        model.data_preprocessor._sobel(torch.randn(2, 1, 8, 8))
