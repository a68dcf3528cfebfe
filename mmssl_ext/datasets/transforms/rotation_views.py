"""Four rotated views of an image with rotation labels (RotationPred)."""
import numpy as np
from mmcv.transforms import BaseTransform
from mmpretrain.registry import TRANSFORMS


@TRANSFORMS.register_module()
class RotationViews(BaseTransform):
    """Replace ``img`` by its rotations by 0, 90, 180 and 270 degrees.

    The pretext task of `Unsupervised Representation Learning by Predicting
    Image Rotations <https://arxiv.org/abs/1803.07728>`_. View ``k`` is the
    image rotated counter-clockwise by ``k * 90`` degrees (``np.rot90``) and
    its label is ``k``.

    Required keys: ``img`` (``H x W [x C]``, square).
    Modified keys: ``img`` (list of 4 arrays, same shape as the input).
    Added keys: ``rot_label`` (int64 array of shape ``(4,)``; pass it to
    ``PackInputs(algorithm_keys=['rot_label'])``).

    Args:
        shuffle (bool): Emit the four views in a random order (drawn per
            call), labels permuted alongside. Defaults to False.
    """

    def __init__(self, shuffle: bool = False) -> None:
        self.shuffle = shuffle

    def transform(self, results: dict) -> dict:
        img = results['img']
        height, width = img.shape[:2]
        if height != width:
            raise ValueError(
                f'RotationViews needs square images so that all rotations '
                f'have the same shape, got {height}x{width} '
                f'({results.get("img_path", "image")}); put a square crop '
                f'(e.g. RandomResizedCrop/CenterCrop) before it.')
        order = np.random.permutation(4) if self.shuffle else np.arange(4)
        results['img'] = [np.ascontiguousarray(np.rot90(img, k))
                          for k in order]
        results['rot_label'] = order.astype(np.int64)
        results['img_shape'] = img.shape[:2]
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(shuffle={self.shuffle})'
