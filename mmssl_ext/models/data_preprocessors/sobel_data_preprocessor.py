"""Sobel input filtering of DeepCluster as a data preprocessor."""
from typing import Optional, Sequence, Union

import torch
import torch.nn.functional as F

from mmpretrain.models.utils.data_preprocessor import SelfSupDataPreprocessor
from mmpretrain.registry import MODELS


#: Channel weights of the grey image: ``'mean'`` (MMSelfSup 0.x / 1.x and
#: the DeepCluster paper's code: the plain average of the three channels) or
#: ``'luma'`` (ITU-R 601 luma of RGB, an option).
GRAY_WEIGHTS = {
    'mean': (1. / 3., 1. / 3., 1. / 3.),
    'luma': (0.299, 0.587, 0.114),
}


def sobel_kernels() -> torch.Tensor:
    """``(2, 1, 3, 3)``: the horizontal and vertical Sobel kernels."""
    gx = torch.tensor([[1., 0., -1.], [2., 0., -2.], [1., 0., -1.]])
    return torch.stack([gx, gx.t()]).unsqueeze(1)


def check_gray(gray: str) -> str:
    """Return ``gray`` if it names a known weighting, else raise."""
    if gray not in GRAY_WEIGHTS:
        raise ValueError(
            f'gray={gray!r} is not a grey-scale weighting: use one of '
            f"{sorted(GRAY_WEIGHTS)} ('mean' is MMSelfSup's).")
    return gray


def sobel_filter(x: torch.Tensor, kernels: torch.Tensor,
                 gray: str = 'mean') -> torch.Tensor:
    """Grey image, then its two Sobel gradients.

    Applied to the normalised images, like MMSelfSup's Sobel layer (a
    1x1 convolution with weights 1/3 and no bias, then a 3x3 convolution
    with padding 1 and no bias).

    Args:
        x (Tensor): ``(N, 3, H, W)`` normalised RGB images.
        kernels (Tensor): ``(2, 1, 3, 3)`` horizontal and vertical kernels.
        gray (str): channel weighting of the grey image, a key of
            :data:`GRAY_WEIGHTS`. Defaults to ``'mean'``.

    Returns:
        Tensor: ``(N, 2, H, W)`` (zero padding keeps the size).
    """
    coeffs = x.new_tensor(GRAY_WEIGHTS[check_gray(gray)]).view(1, 3, 1, 1)
    grey = (x * coeffs).sum(1, keepdim=True)  # (N, 1, H, W)
    return F.conv2d(grey, kernels.to(x), padding=1)


@MODELS.register_module()
class SobelDataPreprocessor(SelfSupDataPreprocessor):
    """Normalise, then replace the RGB input by its 2 Sobel gradient maps.

    DeepCluster (https://arxiv.org/abs/1807.05520) feeds the network the
    Sobel gradients of the grayscale image to remove colour cues, so the
    backbone takes 2 input channels (``ResNet(in_channels=2)``). Doing the
    filtering here keeps the backbone a plain, extractable ResNet; any
    evaluation of such weights must use this preprocessor too (its
    ``conv1`` has 2 input channels).

    Args:
        mean, std, pad_size_divisor, pad_value, to_rgb, bgr_to_rgb,
        rgb_to_bgr, non_blocking: as :class:`SelfSupDataPreprocessor`.
            The images must have 3 channels in RGB order after conversion.
        gray (str): grey-scale weighting before the Sobel kernels:
            ``'mean'`` (average of the 3 channels, as MMSelfSup) or
            ``'luma'`` (0.299 R + 0.587 G + 0.114 B). Defaults to ``'mean'``.

    Shapes:
        ``inputs`` ``(N, 3, H, W)`` (or a list of views) ->
        ``(N, 2, H, W)`` (or a list).
    """

    def __init__(self,
                 mean: Optional[Sequence[Union[float, int]]] = None,
                 std: Optional[Sequence[Union[float, int]]] = None,
                 pad_size_divisor: int = 1,
                 pad_value: Union[float, int] = 0,
                 to_rgb: bool = False,
                 bgr_to_rgb: bool = False,
                 rgb_to_bgr: bool = False,
                 non_blocking: Optional[bool] = False,
                 gray: str = 'mean') -> None:
        super().__init__(
            mean=mean, std=std, pad_size_divisor=pad_size_divisor,
            pad_value=pad_value, to_rgb=to_rgb, bgr_to_rgb=bgr_to_rgb,
            rgb_to_bgr=rgb_to_bgr, non_blocking=non_blocking)
        self.gray = check_gray(gray)
        self.register_buffer('sobel_kernels', sobel_kernels(),
                             persistent=False)

    def _sobel(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() != 4 or x.shape[1] != 3:
            raise ValueError(
                f'SobelDataPreprocessor expects (N, 3, H, W) images, got '
                f'{tuple(x.shape)}; load grayscale images with '
                f"LoadImageFromFile(color_type='color') to get 3 channels.")
        return sobel_filter(x, self.sobel_kernels, self.gray)

    def forward(self, data: dict, training: bool = False) -> dict:
        out = super().forward(data, training)
        inputs = out['inputs']
        if isinstance(inputs, list):
            out['inputs'] = [self._sobel(v) for v in inputs]
        else:
            out['inputs'] = self._sobel(inputs)
        return out
