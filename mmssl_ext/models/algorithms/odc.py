"""Online Deep Clustering (https://arxiv.org/abs/2006.10645)."""
from typing import Dict, List, Optional, Union

import numpy as np
import torch

from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample
from .deepcluster import DeepCluster


@MODELS.register_module()
class ODC(DeepCluster):
    """ODC: online deep clustering with a per-sample memory.

    DeepCluster whose labels live in a memory instead of being re-computed
    by k-means every epoch: it inherits the model, ``loss_weight`` and
    :meth:`extract_cluster_feat`, and replaces the loss.

    ``backbone -> ODCNeck -> ClusterHead``; the labels of a batch are read
    from :class:`ODCMemory`'s label bank, then the batch's (detached) neck
    features update the memory, which re-assigns their labels to the nearest
    centroid. :class:`ODCHook` refreshes centroids, handles small clusters and
    sets the inverse-sqrt-frequency loss weights (buffer ``loss_weight``).
    The memory is initialised by :class:`DeepClusterHook` with
    ``init_memory=True``.

    Args:
        backbone (dict): backbone config.
        neck (dict): neck config (``ODCNeck``).
        head (dict): head config (``ClusterHead``), ``num_classes`` equal to
            the memory's.
        memory_bank (dict): ``ODCMemory`` config.
        pretrained (str, optional): backbone checkpoint. Defaults to None.
        data_preprocessor (dict, optional): defaults to
            ``SelfSupDataPreprocessor``.
        init_cfg (dict, optional): initialisation config. Defaults to None.
    """

    def __init__(self,
                 backbone: dict,
                 neck: dict,
                 head: dict,
                 memory_bank: dict,
                 pretrained: Optional[str] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(
            backbone=backbone, neck=neck, head=head, pretrained=pretrained,
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.memory_bank = MODELS.build(memory_bank)
        if self.memory_bank.num_classes != self.num_classes:
            raise ValueError(
                f'ODC head has {self.num_classes} classes but the memory has '
                f'{self.memory_bank.num_classes} clusters: set both '
                f'`num_classes` to the same value.')
        neck_out = getattr(self.neck, 'out_channels', None)
        if neck_out is not None and neck_out != self.memory_bank.feat_dim:
            raise ValueError(
                f'ODC neck outputs {neck_out} features but the memory '
                f'feat_dim is {self.memory_bank.feat_dim}: make them equal.')
        if neck_out is not None and neck_out != self.head.in_channels:
            raise ValueError(
                f'ODC neck outputs {neck_out} features but the head expects '
                f'{self.head.in_channels}: set head `in_channels`.')

    def set_reweight(self,
                     labels: Optional[Union[np.ndarray, torch.Tensor]] = None,
                     reweight_pow: float = 0.5) -> None:
        """Set ``loss_weight`` from cluster sizes (memory labels if None)."""
        if labels is None:
            labels = self.memory_bank.label_bank
        super().set_reweight(labels, reweight_pow)

    def loss(self, inputs: Union[torch.Tensor, List[torch.Tensor]],
             data_samples: List[DataSample]) -> Dict[str, torch.Tensor]:
        """Classify into memory labels, then update the memory.

        Args:
            inputs: ``(N, C, H, W)`` images (or a one-view list).
            data_samples (list[DataSample]): with ``sample_idx`` metainfo.

        Returns:
            dict: ``loss``, ``acc`` and ``change_ratio`` (fraction of the
            global batch whose label changed in the update).
        """
        if isinstance(inputs, (list, tuple)):
            inputs = inputs[0]
        # (N,) on the CPU, checked against the memory on the host
        idx = self.memory_bank.sample_indices(data_samples)
        feats = self.neck(self.backbone(inputs))  # ((N, feat_dim),)
        device = self.memory_bank.label_bank.device
        targets = self.memory_bank.label_bank[idx.to(device)]  # (N,)
        losses = self.head.loss(feats, targets, class_weight=self.loss_weight)
        losses['change_ratio'] = self.memory_bank.update_samples_memory(
            idx, feats[-1].detach())
        return losses
