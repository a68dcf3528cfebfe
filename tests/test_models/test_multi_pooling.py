"""MultiPooling: fixed pooled sizes; ResNet-50 dims of the protocol."""
import pytest
import torch

from mmssl_ext.models.necks import MultiPooling


def test_resnet50_pooled_dims():
    neck = MultiPooling()
    shapes = [(64, 112), (256, 56), (512, 28), (1024, 14), (2048, 7)]
    outs = neck([torch.zeros(1, c, s, s) for c, s in shapes])
    assert [o.flatten(1).shape[1] for o in outs] == [
        9216, 9216, 8192, 9216, 8192]


def test_pooling_is_average_and_in_indices():
    neck = MultiPooling(pool_sizes=(1, ), in_indices=(1, ))
    x = torch.arange(16.).reshape(1, 1, 4, 4)
    (out, ) = neck([torch.zeros(1, 1, 2, 2), x])
    assert out.item() == pytest.approx(x.mean().item())
    with pytest.raises(ValueError, match='pool sizes'):
        MultiPooling(pool_sizes=(1, 2))([x])
    with pytest.raises(ValueError, match='one pool size per'):
        MultiPooling(pool_sizes=(1, 2), in_indices=(0, ))
