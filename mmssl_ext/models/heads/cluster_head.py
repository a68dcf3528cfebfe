"""Linear classifier over cluster pseudo-labels (DeepCluster / ODC)."""
from typing import Optional, Sequence, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule

from mmpretrain.registry import MODELS


@MODELS.register_module()
class ClusterHead(BaseModule):
    """Linear classification head trained on cluster assignments.

    Used by DeepCluster (https://arxiv.org/abs/1807.05520) and ODC
    (https://arxiv.org/abs/2006.10645). The loss is cross-entropy with
    optional per-cluster weights, normalised by the summed weight of the
    batch targets (``torch.nn.functional.cross_entropy`` semantics), so the
    loss scale does not depend on the number of clusters.

    Args:
        in_channels (int): input feature width.
        num_classes (int): number of clusters.
        with_avg_pool (bool): pool a ``(N, C, H, W)`` input first.
            Defaults to False.
        init_std (float): std of the normal weight initialisation (bias 0).
            Defaults to 0.01.
        init_cfg (dict, optional): unused (weights are set by
            :meth:`init_weights`, which hooks call to re-initialise).

    Shapes:
        input: tuple whose last item is ``(N, in_channels)``;
        logits: ``(N, num_classes)``.
    """

    def __init__(self,
                 in_channels: int,
                 num_classes: int,
                 with_avg_pool: bool = False,
                 init_std: float = 0.01,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if num_classes < 2:
            raise ValueError(f'num_classes must be >= 2, got {num_classes}.')
        self.in_channels = in_channels
        self.num_classes = num_classes
        self.with_avg_pool = with_avg_pool
        self.init_std = init_std
        self.fc = nn.Linear(in_channels, num_classes)
        self.init_weights()

    def init_weights(self) -> None:
        """(Re-)initialise the classifier: normal(0, init_std), bias 0."""
        nn.init.normal_(self.fc.weight, 0, self.init_std)
        nn.init.zeros_(self.fc.bias)

    def forward(self, x: Union[torch.Tensor, Sequence[torch.Tensor]]
                ) -> torch.Tensor:
        if not isinstance(x, torch.Tensor):
            x = x[-1]
        if self.with_avg_pool and x.dim() == 4:
            x = F.adaptive_avg_pool2d(x, 1)
        x = x.flatten(1)
        if x.shape[1] != self.in_channels:
            raise ValueError(
                f'ClusterHead expects {self.in_channels} input features, got '
                f'{x.shape[1]}: set head `in_channels` to the neck output.')
        return self.fc(x)

    def loss(self,
             x: Union[torch.Tensor, Sequence[torch.Tensor]],
             targets: torch.Tensor,
             class_weight: Optional[torch.Tensor] = None) -> dict:
        """Weighted cross-entropy.

        Args:
            x: features, see the class docstring.
            targets (Tensor): ``(N,)`` int64 cluster indices.
            class_weight (Tensor, optional): ``(num_classes,)`` weights.

        Returns:
            dict: ``loss`` (scalar) and ``acc`` (top-1 on the targets, %).
        """
        logits = self.forward(x)
        targets = targets.to(logits.device).long()
        if targets.numel() and (targets.min() < 0
                                or targets.max() >= self.num_classes):
            raise ValueError(
                f'cluster labels must lie in 0..{self.num_classes - 1}, got '
                f'{int(targets.min())}..{int(targets.max())}: the head '
                f'`num_classes` must equal the number of clusters.')
        if class_weight is not None:
            class_weight = class_weight.to(logits)
        loss = F.cross_entropy(logits, targets, weight=class_weight)
        with torch.no_grad():
            acc = (logits.argmax(1) == targets).float().mean() * 100
        return dict(loss=loss, acc=acc)
