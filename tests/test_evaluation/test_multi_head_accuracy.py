"""MultiHeadAccuracy reports top-k of every head."""
import pytest
import torch
from mmpretrain.structures import DataSample

from mmssl_ext.evaluation.metrics import MultiHeadAccuracy


def test_per_head_topk():
    metric = MultiHeadAccuracy(topk=(1, 2))
    samples = []
    # head feat1 always right; head feat2 right once, second-best once
    scores = [([0.9, 0.1, 0.0], [0.2, 0.7, 0.1]),
              ([0.1, 0.8, 0.1], [0.1, 0.8, 0.1])]
    for label, (s1, s2) in zip([0, 1], scores):
        s = DataSample().set_gt_label(label)
        s.set_field(torch.tensor([s1, s2]), 'multi_pred_score')
        s.set_field(['feat1', 'feat2'], 'multi_pred_names',
                    field_type='metainfo')
        samples.append(s.to_dict())
    metric.process(None, samples)
    res = metric.evaluate(2)
    assert res['multi_head/feat1_top1'] == pytest.approx(100)
    assert res['multi_head/feat2_top1'] == pytest.approx(50)
    assert res['multi_head/feat2_top2'] == pytest.approx(100)


def test_missing_scores_error():
    metric = MultiHeadAccuracy()
    with pytest.raises(KeyError, match='MultiClsHead'):
        metric.process(None, [DataSample().set_gt_label(0).to_dict()])
