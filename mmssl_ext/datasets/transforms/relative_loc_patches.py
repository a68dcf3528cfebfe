"""3x3 patch grid with jitter: centre, 8 neighbours, labels (RelativeLoc)."""
from typing import Optional

import numpy as np
from mmcv.transforms import BaseTransform
from mmpretrain.registry import TRANSFORMS

GRID = 3


@TRANSFORMS.register_module()
class RelativeLocPatches(BaseTransform):
    """Cut a jittered 3x3 patch grid for relative patch location.

    `Unsupervised Visual Representation Learning by Context Prediction
    <https://arxiv.org/abs/1505.05192>`_. A ``crop_size`` square is taken at
    a random position, split into 3x3 cells of ``crop_size // 3`` px, and a
    ``patch_size`` patch is cut at a random offset inside every cell (the
    jitter and the gaps between patches stop the network from matching
    edges). All random values are drawn per call.

    Output order: ``img[0]`` is the centre patch, ``img[1 + j]`` its
    neighbour ``j`` with label ``j``: 0 top-left, 1 top, 2 top-right, 3 left,
    4 right, 5 bottom-left, 6 bottom, 7 bottom-right.

    Required keys: ``img`` (``H x W [x C]``).
    Modified keys: ``img`` (list of 9 ``patch_size x patch_size [x C]``
    arrays). Added keys: ``patch_label`` (int64 ``(8,)``; pass it to
    ``PackInputs(algorithm_keys=['patch_label'])``).

    Args:
        patch_size (int): Side of every patch. Defaults to 64.
        crop_size (int, optional): Side of the square cut into the grid;
            None uses the largest multiple of 3 that fits the image.
            Must give cells of at least ``patch_size``: ``crop_size >=
            3 * patch_size``. Defaults to None.
    """

    def __init__(self, patch_size: int = 64,
                 crop_size: Optional[int] = None) -> None:
        if patch_size < 1:
            raise ValueError(f'RelativeLocPatches.patch_size must be >= 1, '
                             f'got {patch_size}.')
        if crop_size is not None and crop_size // GRID < patch_size:
            raise ValueError(
                f'RelativeLocPatches: crop_size={crop_size} gives 3x3 cells '
                f'of {crop_size // GRID} px, smaller than patch_size='
                f'{patch_size}; use crop_size >= {GRID * patch_size} or a '
                f'smaller patch_size.')
        self.patch_size = patch_size
        self.crop_size = crop_size

    def transform(self, results: dict) -> dict:
        img = results['img']
        height, width = img.shape[:2]
        side = self.crop_size or min(height, width)
        cell = side // GRID
        if min(height, width) < side or cell < self.patch_size:
            need = max(GRID * self.patch_size, self.crop_size or 0)
            raise ValueError(
                f'RelativeLocPatches: image {height}x{width} '
                f'({results.get("img_path", "image")}) is smaller than the '
                f'3x3 patch grid ({need}x{need} px needed for patch_size='
                f'{self.patch_size}, crop_size={self.crop_size}); resize the '
                f'images first, e.g. dict(type="Resize", scale={need}).')
        top = np.random.randint(0, height - GRID * cell + 1)
        left = np.random.randint(0, width - GRID * cell + 1)
        jitter = np.random.randint(0, cell - self.patch_size + 1,
                                   size=(GRID * GRID, 2))
        patches = []
        for k in range(GRID * GRID):
            row, col = divmod(k, GRID)
            y = top + row * cell + jitter[k, 0]
            x = left + col * cell + jitter[k, 1]
            patches.append(np.ascontiguousarray(
                img[y:y + self.patch_size, x:x + self.patch_size]))
        centre = GRID * GRID // 2
        results['img'] = [patches[centre]] + [
            p for k, p in enumerate(patches) if k != centre]
        results['patch_label'] = np.arange(GRID * GRID - 1, dtype=np.int64)
        results['img_shape'] = (self.patch_size, self.patch_size)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(patch_size={self.patch_size}, '
                f'crop_size={self.crop_size})')
