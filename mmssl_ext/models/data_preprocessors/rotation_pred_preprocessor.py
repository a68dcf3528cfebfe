"""Stack the rotated views of every sample into one batch (RotationPred)."""
import torch
from mmpretrain.models.utils import SelfSupDataPreprocessor
from mmpretrain.registry import MODELS


@MODELS.register_module()
class RotationPredDataPreprocessor(SelfSupDataPreprocessor):
    """Normalise the 4 views of :class:`RotationViews` and stack them.

    Input: ``inputs`` is a list of ``V`` (= 4) tensors ``(N, C, H, W)``.
    Output: ``inputs`` is one tensor ``(V * N, C, H, W)`` in sample-major
    order (row ``n * V + v`` is view ``v`` of sample ``n``), matching the
    concatenated ``rot_label`` of the data samples. Arguments are those of
    ``SelfSupDataPreprocessor``.
    """

    #: Training needs the pretext views; feature extraction (kNN, the kNN
    #: hook) feeds plain images and normalises them with the parent class.
    pretext_views_only = True

    def forward(self, data: dict, training: bool = False) -> dict:
        out = super().forward(data, training)
        views = out['inputs']
        if not isinstance(views, list):
            raise TypeError(
                'RotationPredDataPreprocessor expects several views per '
                'sample; add dict(type="RotationViews") to the pipeline.')
        out['inputs'] = torch.stack(views, dim=1).flatten(0, 1)
        return out
