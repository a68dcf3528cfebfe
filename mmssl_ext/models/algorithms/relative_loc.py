"""Relative patch location (context prediction)."""
from typing import Dict, List

import torch
from mmpretrain.models.selfsup import BaseSelfSupervisor
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample
from mmssl_ext.models.utils.mmselfsup_checkpoint import \
    MMSelfSupCheckpointMixin


@MODELS.register_module()
class RelativeLoc(MMSelfSupCheckpointMixin, BaseSelfSupervisor):
    """Relative location of image patches.

    `Unsupervised Visual Representation Learning by Context Prediction
    <https://arxiv.org/abs/1505.05192>`_: given the centre patch of a 3x3
    grid and one neighbour, an 8-way classifier predicts where the neighbour
    lies. Use with :class:`RelativeLocPatches` (``PackInputs(algorithm_keys=
    ['patch_label'])``), :class:`RelativeLocDataPreprocessor`,
    :class:`RelativeLocNeck` and an 8-class :class:`PretextClsHead`
    (``with_avg_pool=False``).

    Args: those of ``BaseSelfSupervisor`` (``backbone``, ``neck``, ``head``,
    ``data_preprocessor``, ``init_cfg``).

    As MMSelfSup's RelativeLoc, the backbone runs twice, on the neighbours
    and on the (repeated) centres, so train-mode BatchNorm normalises each
    batch with its own statistics, and the neck sees the pair as
    ``[neighbour, centre]`` channel-wise (the order MMSelfSup's neck weights
    expect).

    Shapes: inputs ``[centres, neighbours]``, each ``(8N, C, P, P)``;
    two backbone batches of ``(8N, C, P, P)``; neck input
    ``[neighbours; centres]`` ``(16N, C', h, w)``; neck output ``(8N, D)``;
    labels ``(8N,)``.
    """

    def loss(self, inputs: List[torch.Tensor], data_samples: List[DataSample],
             **kwargs) -> Dict[str, torch.Tensor]:
        if not isinstance(inputs, list) or len(inputs) != 2:
            raise TypeError(
                'RelativeLoc expects [centres, neighbours]: set model.'
                'data_preprocessor type="RelativeLocDataPreprocessor".')
        centres, neighbours = inputs
        labels = torch.cat([torch.as_tensor(ds.patch_label).flatten()
                            for ds in data_samples]).to(centres.device)
        feats = tuple(
            torch.cat([n, c])  # (16N, C', h, w): neighbours, then centres
            for n, c in zip(self.backbone(neighbours), self.backbone(centres)))
        fused = self.neck(feats)  # ((8N, D),)
        return self.head.loss(fused, labels)
