"""Top-k accuracy of every head of a :class:`MultiClsHead`."""
from typing import Dict, List, Sequence

import torch
from mmengine.evaluator import BaseMetric
from mmpretrain.registry import METRICS


@METRICS.register_module()
class MultiHeadAccuracy(BaseMetric):
    """Top-k accuracy (%) per head, reported as ``<head>_top<k>``.

    Reads ``multi_pred_score`` (``(H, K)``) and ``multi_pred_names`` that
    :class:`~mmssl_ext.models.heads.MultiClsHead` writes at predict time.

    Args:
        topk (Sequence[int]): Defaults to ``(1,)``.
        collect_device (str): Defaults to ``'cpu'``.
        prefix (str): Defaults to ``'multi_head'``.
    """
    default_prefix = 'multi_head'

    def __init__(self, topk: Sequence[int] = (1, ),
                 collect_device: str = 'cpu', prefix: str = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.topk = tuple(topk)

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        for sample in data_samples:
            if 'multi_pred_score' not in sample:
                raise KeyError(
                    'MultiHeadAccuracy needs `multi_pred_score` in the '
                    'predictions: use head=dict(type="MultiClsHead", ...).')
            self.results.append(dict(
                score=sample['multi_pred_score'].cpu(),
                names=list(sample['multi_pred_names']),
                label=int(sample['gt_label'].reshape(-1)[0])))

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        scores = torch.stack([r['score'] for r in results])  # (N, H, K)
        labels = torch.tensor([r['label'] for r in results])
        names = results[0]['names']
        out = {}
        for h, name in enumerate(names):
            for k in self.topk:
                k_eff = min(k, scores.size(-1))
                top = scores[:, h].topk(k_eff, dim=1).indices
                hit = (top == labels[:, None]).any(dim=1).float().mean()
                out[f'{name}_top{k}'] = 100.0 * hit.item()
        return out
