"""DeepCluster (https://arxiv.org/abs/1807.05520)."""
from typing import Dict, List, Optional, Union

import numpy as np
import torch

from mmpretrain.models.selfsup.base import BaseSelfSupervisor
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample
from mmssl_ext.models.utils.loss_weights import inverse_frequency_weights
from mmssl_ext.models.utils.mmselfsup_checkpoint import \
    MMSelfSupCheckpointMixin


def pseudo_labels_of(data_samples: List[DataSample]) -> torch.Tensor:
    """``(N,)`` pseudo-labels carried as ``gt_label`` by the data samples."""
    if not data_samples or 'gt_label' not in data_samples[0]:
        raise KeyError(
            'DeepCluster needs a cluster pseudo-label per sample but the data '
            "samples carry no `gt_label`: wrap the training dataset in "
            "dict(type='PseudoLabelDataset', dataset=...) and add "
            "dict(type='DeepClusterHook', ...) to `custom_hooks`.")
    return torch.cat([ds.gt_label.view(-1) for ds in data_samples])


@MODELS.register_module()
class DeepCluster(MMSelfSupCheckpointMixin, BaseSelfSupervisor):
    """DeepCluster: a classifier trained on k-means pseudo-labels.

    ``backbone -> global-average-pool neck -> ClusterHead``. The pseudo-labels
    come from :class:`DeepClusterHook` (k-means of the whole training set,
    redone every ``interval`` epochs) through :class:`PseudoLabelDataset`
    (as ``gt_label``). With ``SobelDataPreprocessor`` the backbone sees the 2
    Sobel gradient maps (``ResNet(in_channels=2)``), as in the paper.
    Per-cluster loss weights (inverse square root of the cluster size) are a
    persistent buffer ``loss_weight`` ``(num_classes,)``.

    Args:
        backbone (dict): backbone config.
        neck (dict): neck config (e.g. ``GlobalAveragePooling``).
        head (dict): head config (``ClusterHead``).
        pretrained (str, optional): backbone checkpoint. Defaults to None.
        data_preprocessor (dict, optional): defaults to
            ``SelfSupDataPreprocessor``.
        init_cfg (dict, optional): initialisation config. Defaults to None.
    """

    def __init__(self,
                 backbone: dict,
                 neck: dict,
                 head: dict,
                 pretrained: Optional[str] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(
            backbone=backbone, neck=neck, head=head, pretrained=pretrained,
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.num_classes = int(self.head.num_classes)
        self.register_buffer(
            'loss_weight',
            torch.full((self.num_classes, ), 1.0 / self.num_classes))

    def extract_cluster_feat(self, inputs: torch.Tensor) -> torch.Tensor:
        """Features that are clustered: ``(N, C, H, W) -> (N, D)``."""
        feats = self.neck(self.backbone(inputs))
        return feats[-1].flatten(1)

    def set_reweight(self, labels: Union[np.ndarray, torch.Tensor],
                     reweight_pow: float = 0.5) -> None:
        """Set ``loss_weight`` from the cluster sizes of ``labels``."""
        self.loss_weight.copy_(
            inverse_frequency_weights(labels, self.num_classes, reweight_pow))

    def loss(self, inputs: Union[torch.Tensor, List[torch.Tensor]],
             data_samples: List[DataSample]) -> Dict[str, torch.Tensor]:
        """Weighted cross-entropy on the pseudo-labels.

        Args:
            inputs: ``(N, C, H, W)`` images (or a one-view list).
            data_samples (list[DataSample]): with ``gt_label`` = pseudo-label.

        Returns:
            dict: ``loss`` and ``acc``.
        """
        if isinstance(inputs, (list, tuple)):
            inputs = inputs[0]
        labels = pseudo_labels_of(data_samples).to(inputs.device)
        feats = self.neck(self.backbone(inputs))  # ((N, D),)
        return self.head.loss(feats, labels, class_weight=self.loss_weight)
