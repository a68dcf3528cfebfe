"""RelativeLocPatches: grid geometry, labels, jitter, size errors."""
import numpy as np
import pytest
from mmpretrain.registry import TRANSFORMS

import mmssl_ext  # noqa: F401


def _coords(h, w):
    """An image whose pixel (y, x) stores (y, x, 0): patches reveal their
    position."""
    yy, xx = np.meshgrid(np.arange(h), np.arange(w), indexing='ij')
    return np.stack([yy, xx, np.zeros_like(yy)], -1).astype(np.int32)


POSITIONS = [(1, 1), (0, 0), (0, 1), (0, 2), (1, 0), (1, 2), (2, 0), (2, 1),
             (2, 2)]  # (row, col) of the centre, then neighbours 0-7


def test_patches_come_from_the_right_cells():
    np.random.seed(0)
    transform = TRANSFORMS.build(
        dict(type='RelativeLocPatches', patch_size=8, crop_size=30))
    origins = set()
    for _ in range(10):
        out = transform(dict(img=_coords(40, 35)))
        patches = out['img']
        assert len(patches) == 9
        assert all(p.shape == (8, 8, 3) for p in patches)
        assert out['patch_label'].tolist() == list(range(8))
        # patch k = crop origin + 10 px * its cell + a jitter in [0, 2]
        rel_y = [int(p[0, 0, 0]) - 10 * r for p, (r, _) in
                 zip(patches, POSITIONS)]
        rel_x = [int(p[0, 0, 1]) - 10 * c for p, (_, c) in
                 zip(patches, POSITIONS)]
        assert max(rel_y) - min(rel_y) <= 2 and max(rel_x) - min(rel_x) <= 2
        assert min(rel_y) >= 0 and max(rel_y) <= 40 - 30 + 2
        assert min(rel_x) >= 0 and max(rel_x) <= 35 - 30 + 2
        origins.add((min(rel_y), min(rel_x)))
    assert len(origins) > 1  # the crop position is random too


def test_jitter_is_random_per_call():
    np.random.seed(1)
    transform = TRANSFORMS.build(
        dict(type='RelativeLocPatches', patch_size=8, crop_size=30))
    first = [(int(p[0, 0, 0]), int(p[0, 0, 1]))
             for p in transform(dict(img=_coords(30, 30)))['img']]
    second = [(int(p[0, 0, 0]), int(p[0, 0, 1]))
              for p in transform(dict(img=_coords(30, 30)))['img']]
    assert first != second
    # with crop == image, patch k lies in cell k exactly
    for (row, col), (t, l_) in zip(POSITIONS, first):
        assert 10 * row <= t <= 10 * row + 2
        assert 10 * col <= l_ <= 10 * col + 2


def test_too_small_images_and_grids_are_clear_errors():
    with pytest.raises(ValueError, match='crop_size >= 24'):
        TRANSFORMS.build(dict(type='RelativeLocPatches', patch_size=8,
                              crop_size=20))
    transform = TRANSFORMS.build(dict(type='RelativeLocPatches',
                                      patch_size=10))
    with pytest.raises(ValueError, match='smaller than the 3x3 patch grid.*'
                       'Resize'):
        transform(dict(img=np.zeros((28, 28, 3), np.uint8)))
    transform = TRANSFORMS.build(dict(type='RelativeLocPatches',
                                      patch_size=8, crop_size=30))
    with pytest.raises(ValueError, match='smaller than the 3x3 patch grid'):
        transform(dict(img=np.zeros((29, 40, 3), np.uint8)))
