"""Sobel input for classification benchmarks of DeepCluster backbones."""
import torch
from mmpretrain.models.utils.data_preprocessor import ClsDataPreprocessor
from mmpretrain.registry import MODELS

from .sobel_data_preprocessor import sobel_filter


@MODELS.register_module()
class SobelClsDataPreprocessor(ClsDataPreprocessor):
    """:class:`ClsDataPreprocessor` followed by the DeepCluster Sobel filter.

    Linear / multi-head / semi-supervised evaluation of a backbone trained on
    Sobel input (`DeepCluster <https://arxiv.org/abs/1807.05520>`_,
    ``ResNet(in_channels=2)``) must see the same input. This is the
    classification twin of ``SobelDataPreprocessor`` (which serves the
    self-supervised algorithms): it keeps labels, ``num_classes`` and batch
    augments of mmpretrain's classifier preprocessor.

    Args:
        **kwargs: as :class:`ClsDataPreprocessor` (``mean``, ``std``,
            ``to_rgb``, ``num_classes``, ``batch_augments``, ...).

    Shapes:
        ``inputs`` ``(N, 3, H, W)`` -> ``(N, 2, H, W)``.
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        gx = torch.tensor([[1., 0., -1.], [2., 0., -2.], [1., 0., -1.]])
        kernels = torch.stack([gx, gx.t()]).unsqueeze(1)  # (2, 1, 3, 3)
        self.register_buffer('sobel_kernels', kernels, persistent=False)

    def forward(self, data: dict, training: bool = False) -> dict:
        out = super().forward(data, training)
        inputs = out['inputs']
        if inputs.dim() != 4 or inputs.shape[1] != 3:
            raise ValueError(
                f'SobelClsDataPreprocessor expects (N, 3, H, W) images, got '
                f'{tuple(inputs.shape)}; load images with 3 channels.')
        out['inputs'] = sobel_filter(inputs, self.sobel_kernels)
        return out
