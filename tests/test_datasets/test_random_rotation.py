"""RandomRotation: uniform angle in [-d, d], nearest, zero fill (the
reference DeepCluster/ODC pipelines), checked against a hand-written
nearest-neighbour rotation."""
import numpy as np
import pytest

import mmssl_ext  # noqa: F401
from mmpretrain.registry import TRANSFORMS


def _rotate_nearest(img, angle_deg):
    """Clockwise rotation about the pixel centre ((w-1)/2, (h-1)/2) as
    mmcv.imrotate / cv2.warpAffine with nearest sampling; 0 outside.

    Returns the image and a mask of the pixels whose source coordinate is an
    exact tie (x.5): OpenCV 4 rounds those up, OpenCV 5 down."""
    h, w = img.shape[:2]
    cx, cy = (w - 1) * 0.5, (h - 1) * 0.5
    t = np.deg2rad(angle_deg)
    out = np.zeros_like(img)
    tie = np.zeros((h, w), bool)
    for y in range(h):
        for x in range(w):
            # inverse map: output -> source (clockwise forward rotation)
            sx = np.cos(t) * (x - cx) + np.sin(t) * (y - cy) + cx
            sy = -np.sin(t) * (x - cx) + np.cos(t) * (y - cy) + cy
            tie[y, x] = any(abs(v - np.floor(v) - 0.5) < 1e-6
                            for v in (sx, sy))
            ix, iy = int(np.floor(sx + 0.5)), int(np.floor(sy + 0.5))
            if 0 <= ix < w and 0 <= iy < h:
                out[y, x] = img[iy, ix]
    return out, tie


def test_angle_range_and_fill(monkeypatch):
    t = TRANSFORMS.build(dict(type='RandomRotation', degrees=2))
    assert t.degrees == (-2.0, 2.0)
    angles = []
    monkeypatch.setattr(np.random, 'uniform',
                        lambda lo, hi: angles.append((lo, hi)) or 30.0)
    img = np.arange(1, 13 * 11 * 3 + 1, dtype=np.uint8).reshape(13, 11, 3)
    out = t(dict(img=img.copy()))['img']
    assert angles == [(-2.0, 2.0)]
    assert out.shape == img.shape
    ref, tie = _rotate_nearest(img, 30.0)
    # every pixel but the exact x.5 ties (rounded either way by OpenCV
    # versions) is the reference's
    assert tie.sum() < 0.1 * tie.size
    assert (out == ref).all(axis=2)[~tie].all()
    assert out[0, 0].tolist() == [0, 0, 0]  # corner filled with 0


def test_draws_are_uniform_in_range():
    t = TRANSFORMS.build(dict(type='RandomRotation', degrees=(-1, 3)))
    np.random.seed(0)
    drawn = []
    orig = np.random.uniform
    np.random.uniform = lambda lo, hi: drawn.append(orig(lo, hi)) or drawn[-1]
    try:
        for _ in range(200):
            t(dict(img=np.zeros((8, 8, 3), np.uint8)))
    finally:
        np.random.uniform = orig
    assert min(drawn) >= -1 and max(drawn) <= 3
    assert abs(np.mean(drawn) - 1) < 0.3


def test_bad_degrees():
    with pytest.raises(ValueError, match='>= 0'):
        TRANSFORMS.build(dict(type='RandomRotation', degrees=-1))
    with pytest.raises(ValueError, match='min <= max'):
        TRANSFORMS.build(dict(type='RandomRotation', degrees=(3, 1)))
