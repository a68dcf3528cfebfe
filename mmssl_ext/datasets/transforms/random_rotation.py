"""Small random rotation of the DeepCluster / ODC training pipelines."""
from typing import Sequence, Union

import mmcv
import numpy as np
from mmcv.transforms import BaseTransform
from mmpretrain.registry import TRANSFORMS


@TRANSFORMS.register_module()
class RandomRotation(BaseTransform):
    """Rotate the image by an angle drawn uniformly from a range.

    The ``RandomRotation(degrees=2)`` step of MMSelfSup's DeepCluster and ODC
    ImageNet pipelines (0.x: torchvision's ``RandomRotation`` on PIL images;
    1.x: its own transform on ``mmcv.imrotate``). Both rotate about the
    centre, keep the size, interpolate with nearest neighbour and fill the
    uncovered corners with 0; so does this transform. (mmpretrain's
    ``Rotate`` is a different operation: a fixed angle with a random sign
    that fills with 128.)

    Required keys: ``img``. Modified keys: ``img``.

    Args:
        degrees (float | Sequence[float]): ``d`` for the range ``[-d, d]``, or
            ``(min, max)``.
        interpolation (str): ``mmcv.imrotate`` interpolation.
            Defaults to ``'nearest'``.
        fill (int | float): value of the pixels outside the rotated image.
            Defaults to 0.
    """

    def __init__(self,
                 degrees: Union[float, Sequence[float]],
                 interpolation: str = 'nearest',
                 fill: Union[int, float] = 0) -> None:
        if isinstance(degrees, (int, float)):
            if degrees < 0:
                raise ValueError(
                    f'RandomRotation(degrees={degrees}): a single number is '
                    f'the half-width of the range and must be >= 0.')
            degrees = (-float(degrees), float(degrees))
        if len(degrees) != 2 or degrees[0] > degrees[1]:
            raise ValueError(
                f'RandomRotation(degrees={degrees}): give a number d or a '
                f'(min, max) pair with min <= max.')
        self.degrees = (float(degrees[0]), float(degrees[1]))
        self.interpolation = interpolation
        self.fill = fill

    def transform(self, results: dict) -> dict:
        angle = np.random.uniform(*self.degrees)
        results['img'] = mmcv.imrotate(
            results['img'], angle, border_value=self.fill,
            interpolation=self.interpolation)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(degrees={self.degrees}, '
                f'interpolation={self.interpolation}, fill={self.fill})')
