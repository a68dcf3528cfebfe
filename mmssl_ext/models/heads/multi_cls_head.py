"""One linear classifier per feature level (multi-head linear evaluation)."""
from typing import Dict, List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import build_norm_layer
from mmengine.model import BaseModule
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

#: ResNet-50 channels of feat1-feat5.
RESNET50_CHANNELS = (64, 256, 512, 1024, 2048)


@MODELS.register_module()
class MultiClsHead(BaseModule):
    """BN (no affine) + linear classifier on each of several pooled features.

    The multi-head protocol of `Goyal et al. 2019
    <https://arxiv.org/abs/1905.01235>`_ as MMSelfSup ran it: every feature
    map ``(N, C_i, s_i, s_i)`` goes through a norm layer built from
    ``norm_cfg`` (MMSelfSup's configs: ``SyncBN`` without affine, momentum
    0.1), is flattened and classified by its own ``Linear(C_i * s_i^2, K)``
    (weights Normal(0, 0.01), bias 0). The
    training loss is the sum of the heads' losses (``loss_<name>``), so all
    heads train in one run on a frozen backbone.

    At test time every sample gets ``multi_pred_score`` (``(H, K)``, softmax
    per head) and ``multi_pred_names``; ``pred_score``/``pred_label`` are those
    of the last head so mmpretrain's ``Accuracy`` also works.
    :class:`~mmssl_ext.evaluation.metrics.MultiHeadAccuracy` reports all heads.

    Args:
        num_classes (int): number of classes K.
        in_channels (Sequence[int]): channels per feature. Defaults to
            ResNet-50's ``(64, 256, 512, 1024, 2048)``.
        pool_sizes (Sequence[int]): spatial side of each pooled feature.
            Defaults to ``(12, 6, 4, 3, 2)``.
        feat_names (Sequence[str], optional): head names. Defaults to
            ``feat1..featH`` for H = len(in_channels).
        with_norm (bool): a norm layer before each classifier.
            Defaults to True.
        norm_cfg (dict): that norm layer (mmcv ``build_norm_layer``).
            Defaults to ``dict(type='BN', momentum=0.1, affine=False)``; the
            benchmark configs use ``type='SyncBN'`` as MMSelfSup's (one set
            of batch statistics over all GPUs).
        loss (dict): classification loss. Defaults to CrossEntropyLoss.
        init_cfg (dict): Defaults to normal(std=0.01) linear weights.
    """

    def __init__(self,
                 num_classes: int,
                 in_channels: Sequence[int] = RESNET50_CHANNELS,
                 pool_sizes: Sequence[int] = (12, 6, 4, 3, 2),
                 feat_names: Optional[Sequence[str]] = None,
                 with_norm: bool = True,
                 norm_cfg: dict = dict(type='BN', momentum=0.1, affine=False),
                 loss: dict = dict(type='CrossEntropyLoss', loss_weight=1.0),
                 init_cfg: Optional[dict] = dict(
                     type='Normal', std=0.01, bias=0., layer='Linear')
                 ) -> None:
        super().__init__(init_cfg)
        if len(in_channels) != len(pool_sizes):
            raise ValueError(
                f'{len(in_channels)} in_channels but {len(pool_sizes)} '
                f'pool_sizes: give one of each per feature level.')
        if feat_names is None:
            feat_names = [f'feat{i + 1}' for i in range(len(in_channels))]
        if len(feat_names) != len(in_channels):
            raise ValueError(
                f'{len(feat_names)} feat_names for {len(in_channels)} '
                f'features: give one name per feature.')
        self.num_classes = num_classes
        self.feat_names = tuple(feat_names)
        self.norms = nn.ModuleList(
            build_norm_layer(norm_cfg, c)[1] if with_norm else nn.Identity()
            for c in in_channels)
        self.fcs = nn.ModuleList(
            nn.Linear(c * s * s, num_classes)
            for c, s in zip(in_channels, pool_sizes))
        self.loss_module = MODELS.build(loss)

    def forward(self, feats: Sequence[torch.Tensor]) -> List[torch.Tensor]:
        """Tuple of ``(N, C_i, s_i, s_i)`` -> list of ``(N, K)`` logits."""
        if len(feats) != len(self.fcs):
            raise ValueError(
                f'MultiClsHead has {len(self.fcs)} classifiers but got '
                f'{len(feats)} features: match in_channels to the neck.')
        return [fc(norm(f).flatten(1))
                for norm, fc, f in zip(self.norms, self.fcs, feats)]

    def loss(self, feats: Tuple[torch.Tensor], data_samples: List[DataSample],
             **kwargs) -> Dict[str, torch.Tensor]:
        target = torch.cat([s.gt_label for s in data_samples])
        losses = {}
        for name, logits in zip(self.feat_names, self(feats)):
            losses[f'loss_{name}'] = self.loss_module(
                logits, target, avg_factor=logits.size(0), **kwargs)
        return losses

    def predict(self, feats: Tuple[torch.Tensor],
                data_samples: Optional[List[DataSample]] = None
                ) -> List[DataSample]:
        scores = torch.stack([F.softmax(x, dim=1) for x in self(feats)],
                             dim=1)  # (N, H, K)
        if data_samples is None:
            data_samples = [DataSample() for _ in range(scores.size(0))]
        for sample, score in zip(data_samples, scores):
            sample.set_pred_score(score[-1]).set_pred_label(
                score[-1].argmax(keepdim=True))
            sample.set_field(score.detach(), 'multi_pred_score')
            sample.set_field(list(self.feat_names), 'multi_pred_names',
                             field_type='metainfo')
        return data_samples
