"""Sobel input for classification benchmarks of DeepCluster backbones."""
from mmpretrain.models.utils.data_preprocessor import ClsDataPreprocessor
from mmpretrain.registry import MODELS

from .sobel_data_preprocessor import check_gray, sobel_filter, sobel_kernels


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
        gray (str): grey-scale weighting before the Sobel kernels:
            ``'mean'`` (average of the 3 channels, as MMSelfSup) or
            ``'luma'``. Defaults to ``'mean'``.
        **kwargs: as :class:`ClsDataPreprocessor` (``mean``, ``std``,
            ``to_rgb``, ``num_classes``, ``batch_augments``, ...).

    Shapes:
        ``inputs`` ``(N, 3, H, W)`` -> ``(N, 2, H, W)``.
    """

    def __init__(self, gray: str = 'mean', **kwargs) -> None:
        super().__init__(**kwargs)
        self.gray = check_gray(gray)
        self.register_buffer('sobel_kernels', sobel_kernels(),
                             persistent=False)

    def forward(self, data: dict, training: bool = False) -> dict:
        out = super().forward(data, training)
        inputs = out['inputs']
        if inputs.dim() != 4 or inputs.shape[1] != 3:
            raise ValueError(
                f'SobelClsDataPreprocessor expects (N, 3, H, W) images, got '
                f'{tuple(inputs.shape)}; load images with 3 channels.')
        out['inputs'] = sobel_filter(inputs, self.sobel_kernels,
                                     self.gray)
        return out
