"""Rotation prediction (RotNet)."""
from typing import Dict, List

import torch
from mmpretrain.models.selfsup import BaseSelfSupervisor
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample
from mmssl_ext.models.utils.mmselfsup_checkpoint import \
    MMSelfSupCheckpointMixin


@MODELS.register_module()
class RotationPred(MMSelfSupCheckpointMixin, BaseSelfSupervisor):
    """Rotation prediction.

    `Unsupervised Representation Learning by Predicting Image Rotations
    <https://arxiv.org/abs/1803.07728>`_: a 4-way classifier predicts by how
    much (0/90/180/270 degrees) each view was rotated. Use with
    :class:`RotationViews` in the pipeline (``PackInputs(algorithm_keys=
    ['rot_label'])``), :class:`RotationPredDataPreprocessor` and a 4-class
    :class:`PretextClsHead`.

    Args: those of ``BaseSelfSupervisor`` (``backbone``, ``head``, optional
    ``neck``, ``data_preprocessor``, ``init_cfg``).

    Shapes: inputs ``(4N, C, H, W)`` (sample-major); labels ``(4N,)``.
    """

    def loss(self, inputs: torch.Tensor, data_samples: List[DataSample],
             **kwargs) -> Dict[str, torch.Tensor]:
        if isinstance(inputs, list):
            raise TypeError(
                'RotationPred got a list of views: set model.'
                'data_preprocessor type="RotationPredDataPreprocessor".')
        labels = torch.cat([torch.as_tensor(ds.rot_label).flatten()
                            for ds in data_samples]).to(inputs.device)
        feats = self.backbone(inputs)
        if self.with_neck:
            feats = self.neck(feats)
        return self.head.loss(feats, labels)
