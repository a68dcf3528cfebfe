"""Linear classifier for pretext labels (rotation, relative location)."""
from typing import Dict, Optional, Sequence, Union

import torch
import torch.nn as nn
from mmengine.model import BaseModule
from mmpretrain.registry import MODELS


@MODELS.register_module()
class PretextClsHead(BaseModule):
    """A linear layer + loss over self-generated labels.

    Unlike mmpretrain's ``ClsHead``, the labels are a tensor produced with
    the inputs (4 rotations per image for RotationPred, 8 neighbour
    positions per image for RelativeLoc), not ``gt_label`` of the samples.

    Args:
        in_channels (int): Input feature channels.
        num_classes (int): Number of pretext classes (4 or 8).
        with_avg_pool (bool): Global-average-pool 4-D inputs first.
            Defaults to True.
        loss (dict): Loss config. Defaults to
            ``dict(type='CrossEntropyLoss')``.
        init_cfg (dict, optional): Defaults to a normal init of ``fc``
            (std 0.01, bias 0).

    Shapes: input ``(M, C[, H, W])`` or a tuple whose last item is that;
    logits ``(M, num_classes)``; labels ``(M,)``.
    """

    def __init__(self,
                 in_channels: int,
                 num_classes: int,
                 with_avg_pool: bool = True,
                 loss: dict = dict(type='CrossEntropyLoss'),
                 init_cfg: Optional[Union[dict, list]] = dict(
                     type='Normal', std=0.01, bias=0.,
                     layer='Linear')) -> None:
        super().__init__(init_cfg=init_cfg)
        if num_classes < 2:
            raise ValueError(f'PretextClsHead.num_classes must be >= 2, got '
                             f'{num_classes}.')
        self.with_avg_pool = with_avg_pool
        self.fc = nn.Linear(in_channels, num_classes)
        self.loss_module = MODELS.build(loss)

    def forward(self, feats: Union[torch.Tensor, Sequence[torch.Tensor]]
                ) -> torch.Tensor:
        """Logits ``(M, num_classes)``."""
        x = feats[-1] if isinstance(feats, (tuple, list)) else feats
        if self.with_avg_pool and x.dim() == 4:
            x = x.mean(dim=(2, 3))
        return self.fc(x.flatten(1))

    def loss(self, feats: Union[torch.Tensor, Sequence[torch.Tensor]],
             labels: torch.Tensor) -> Dict[str, torch.Tensor]:
        """``loss`` and top-1 accuracy ``acc`` (logged, no gradient)."""
        logits = self.forward(feats)
        if logits.size(0) != labels.numel():
            raise ValueError(
                f'PretextClsHead got {logits.size(0)} feature rows but '
                f'{labels.numel()} labels; the data preprocessor and the '
                f'transform must agree on the number of views per sample.')
        labels = labels.to(logits.device).long().flatten()
        with torch.no_grad():
            acc = (logits.argmax(dim=1) == labels).float().mean() * 100
        return dict(loss=self.loss_module(logits, labels), acc=acc)
