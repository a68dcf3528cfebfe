"""MultiPooling: MMSelfSup's fixed-kernel ('specified') pooling of ResNet-50
feat1-feat5 at 224 px, sizes and values against a loop re-implementation of
torch's AvgPool2d semantics; adaptive pooling as the option."""
import numpy as np
import pytest
import torch

from mmssl_ext.models.backbones import ResNetFeats
from mmssl_ext.models.necks import MultiPooling

# MMSelfSup 0.x mmselfsup/models/utils/multi_pooling.py, POOL_PARAMS
# 'resnet50', re-typed as (kernel, stride, padding) from reading it.
REFERENCE_TABLE = [(10, 10, 4), (16, 8, 0), (13, 5, 0), (8, 3, 0), (6, 1, 0)]
REFERENCE_DIMS = [9216, 9216, 8192, 9216, 8192]


def reference_avg_pool(x: np.ndarray, kernel: int, stride: int,
                       padding: int) -> np.ndarray:
    """(C, H, W) -> (C, Ho, Wo): mean over each kernel x kernel window of
    the zero-padded map, dividing by kernel^2 (torch's default
    count_include_pad=True, floor output size)."""
    c, h, w = x.shape
    padded = np.zeros((c, h + 2 * padding, w + 2 * padding), np.float64)
    padded[:, padding:padding + h, padding:padding + w] = x
    ho = (h + 2 * padding - kernel) // stride + 1
    wo = (w + 2 * padding - kernel) // stride + 1
    out = np.zeros((c, ho, wo))
    for i in range(ho):
        for j in range(wo):
            win = padded[:, i * stride:i * stride + kernel,
                         j * stride:j * stride + kernel]
            out[:, i, j] = win.sum(axis=(1, 2)) / kernel**2
    return out


@pytest.fixture(scope='module')
def resnet50_feats():
    torch.manual_seed(0)
    net = ResNetFeats(depth=50).eval()
    with torch.no_grad():
        return net(torch.randn(1, 3, 224, 224))


def test_resnet50_224px_sizes_and_values(resnet50_feats):
    neck = MultiPooling()  # default: 'specified', ResNet-50 table
    assert neck.pool_type == 'specified'
    outs = neck(resnet50_feats)
    adaptive = MultiPooling(pool_type='adaptive')(resnet50_feats)
    for level, (feat, out, ad, params) in enumerate(
            zip(resnet50_feats, outs, adaptive, REFERENCE_TABLE)):
        ref = reference_avg_pool(feat[0].double().numpy(), *params)
        assert out.flatten(1).shape[1] == REFERENCE_DIMS[level]
        assert out.shape[1:] == ref.shape
        np.testing.assert_allclose(out[0].numpy(), ref, rtol=1e-5,
                                   atol=1e-6, err_msg=f'feat{level + 1}')
        # same size, other windows: the values tell the two modes apart
        assert ad.shape == out.shape
        if level < 4:
            assert (ad - out).abs().max() > 1e-3, f'feat{level + 1}'


def test_feat1_border_counts_padding():
    """feat1's padding of 4 is averaged in: a map of ones gives 36/100 in
    the corner window (6 x 6 real pixels of a 10 x 10 window)."""
    x = torch.ones(1, 1, 112, 112)
    (out, ) = MultiPooling(pool_sizes=(12, ), pool_params=[dict(
        kernel_size=10, stride=10, padding=4)])([x])
    assert out[0, 0, 0, 0].item() == pytest.approx(0.36)
    assert out[0, 0, 5, 5].item() == pytest.approx(1.0)


def test_adaptive_and_in_indices():
    neck = MultiPooling(pool_type='adaptive', pool_sizes=(1, ),
                        in_indices=(1, ))
    x = torch.arange(16.).reshape(1, 1, 4, 4)
    (out, ) = neck([torch.zeros(1, 1, 2, 2), x])
    assert out.item() == pytest.approx(x.mean().item())
    with pytest.raises(ValueError, match='pool sizes'):
        MultiPooling(pool_type='adaptive', pool_sizes=(1, 2))([x])
    with pytest.raises(ValueError, match='one pool size per'):
        MultiPooling(pool_type='adaptive', pool_sizes=(1, 2),
                     in_indices=(0, ))


def test_bad_configuration_is_explained():
    # fixed kernels on 32 px maps: wrong sizes -> named error
    small = [torch.zeros(1, 8, s, s) for s in (16, 8, 4, 2, 1)]
    with pytest.raises(ValueError, match="pool_type='adaptive'"):
        MultiPooling()(small)
    with pytest.raises(ValueError, match='Give pool_params'):
        MultiPooling(pool_sizes=(4, 4, 2, 2, 1))
    with pytest.raises(ValueError, match='pool_type='):
        MultiPooling(pool_type='max')
    with pytest.raises(ValueError, match='one of each'):
        MultiPooling(pool_sizes=(2, ), pool_params=[{}, {}])
