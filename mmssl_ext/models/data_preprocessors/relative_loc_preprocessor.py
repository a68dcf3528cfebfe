"""Form the 8 (centre, neighbour) patch pairs of every sample (RelativeLoc).
"""
import torch
from mmpretrain.models.utils import SelfSupDataPreprocessor
from mmpretrain.registry import MODELS


@MODELS.register_module()
class RelativeLocDataPreprocessor(SelfSupDataPreprocessor):
    """Normalise the patches of :class:`RelativeLocPatches` and pair them.

    Input: ``inputs`` is a list of 9 tensors ``(N, C, P, P)``: the centre
    patch, then neighbours 0-7.
    Output: ``inputs`` is ``[centres, neighbours]``, two ``(8N, C, P, P)``
    tensors in sample-major order: pair ``n * 8 + j`` is (centre of sample
    ``n``, its neighbour ``j``), matching the concatenated ``patch_label``.
    Arguments are those of ``SelfSupDataPreprocessor``.
    """

    #: Training needs the pretext views; feature extraction (kNN, the kNN
    #: hook) feeds plain images and normalises them with the parent class.
    pretext_views_only = True

    def forward(self, data: dict, training: bool = False) -> dict:
        out = super().forward(data, training)
        patches = out['inputs']
        if not isinstance(patches, list) or len(patches) != 9:
            raise TypeError(
                'RelativeLocDataPreprocessor expects the 9 patches of '
                'RelativeLocPatches (centre + 8 neighbours); add '
                'dict(type="RelativeLocPatches") to the pipeline.')
        neighbours = torch.stack(patches[1:], dim=1)  # (N, 8, C, P, P)
        centres = patches[0].unsqueeze(1).expand_as(neighbours)
        out['inputs'] = [centres.flatten(0, 1), neighbours.flatten(0, 1)]
        return out
