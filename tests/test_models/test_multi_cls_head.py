"""MultiClsHead: BN without affine + one linear per feature; loss and
predictions of every head."""
import pytest
import torch
import torch.nn as nn
from mmpretrain.structures import DataSample

from mmssl_ext.models.heads import MultiClsHead


def _head():
    head = MultiClsHead(num_classes=5, in_channels=(4, 8), pool_sizes=(2, 1))
    head.init_weights()
    return head


def test_structure_and_forward():
    head = _head()
    assert all(not bn.affine for bn in head.norms)
    assert [fc.in_features for fc in head.fcs] == [16, 8]
    logits = head((torch.randn(3, 4, 2, 2), torch.randn(3, 8, 1, 1)))
    assert [tuple(x.shape) for x in logits] == [(3, 5), (3, 5)]


def test_loss_is_one_ce_per_head():
    head = _head()
    feats = (torch.randn(4, 4, 2, 2), torch.randn(4, 8, 1, 1))
    samples = [DataSample().set_gt_label(i % 5) for i in range(4)]
    losses = head.loss(feats, samples)
    assert set(losses) == {'loss_feat1', 'loss_feat2'}
    target = torch.tensor([0, 1, 2, 3])
    logits = head(feats)
    for name, lg in zip(['loss_feat1', 'loss_feat2'], logits):
        assert losses[name].item() == pytest.approx(
            torch.nn.functional.cross_entropy(lg, target).item(), rel=1e-5)


def test_predict_sets_every_head():
    head = _head().eval()
    feats = (torch.randn(2, 4, 2, 2), torch.randn(2, 8, 1, 1))
    out = head.predict(feats)
    assert out[0].multi_pred_score.shape == (2, 5)
    assert out[0].multi_pred_names == ['feat1', 'feat2']
    assert torch.equal(out[0].pred_score, out[0].multi_pred_score[-1])


def test_bad_config():
    with pytest.raises(ValueError, match='one of each'):
        MultiClsHead(num_classes=2, in_channels=(4, 8), pool_sizes=(1, ))
    with pytest.raises(ValueError, match='match in_channels'):
        _head()((torch.randn(1, 4, 2, 2), ))


def test_norm_cfg_builds_the_reference_norm():
    """MMSelfSup's multi-head configs: SyncBN(momentum=0.1, affine=False)
    before each classifier; the default is the same as plain BN."""
    head = MultiClsHead(num_classes=3, in_channels=(4, ), pool_sizes=(1, ))
    assert type(head.norms[0]) is nn.BatchNorm2d
    assert not head.norms[0].affine and head.norms[0].momentum == 0.1
    head = MultiClsHead(num_classes=3, in_channels=(4, ), pool_sizes=(1, ),
                        norm_cfg=dict(type='SyncBN', momentum=0.1,
                                      affine=False))
    assert isinstance(head.norms[0], nn.SyncBatchNorm)
    assert not head.norms[0].affine
