"""The numpy-2 fix of mmcv's adjust_hue (mmssl_ext/compat/adjust_hue.py).

Reference: numpy 1 shifted the hue channel by ``int(h * 255) % 256``
(truncation toward zero, then modulo), written here independently with cv2 /
PIL. Under numpy 1 the tests also check that reference against mmcv's own,
unpatched function, so the reference is numpy 1's real behaviour.
"""
import cv2
import mmcv
import mmcv.image
import mmcv.image.photometric
import numpy as np
import pytest
from PIL import Image
from sklearn.datasets import load_sample_images

import mmssl_ext  # noqa: F401
from mmssl_ext.compat import adjust_hue as fix
from mmssl_ext.compat.fixes import applied_compat_fixes

NUMPY2 = int(np.__version__.split('.')[0]) >= 2
#: every hue factor of a 0.001 grid over the valid range (1001 values)
GRID = [round(h, 3) for h in np.linspace(-0.5, 0.5, 1001)]
BACKENDS = ('cv2', 'pillow')


def _real_images():
    """The two RGB photographs scikit-learn ships (china, flower), BGR like
    mmcv's images, downscaled 8x (53x80) to keep 1,001 factors fast."""
    images = []
    for rgb in load_sample_images().images:
        small = cv2.resize(rgb, (rgb.shape[1] // 8, rgb.shape[0] // 8),
                           interpolation=cv2.INTER_AREA)
        images.append(np.ascontiguousarray(small[..., ::-1]))
    return images


IMAGES = _real_images()


def numpy1_shift(h) -> int:
    return int(h * 255) % 256


def reference_adjust_hue(img_bgr: np.ndarray, h, backend: str) -> np.ndarray:
    """numpy 1's result: the hue channel (0..255 scale) shifted cyclically."""
    shift = numpy1_shift(h)
    if backend == 'cv2':
        hsv = cv2.cvtColor(img_bgr, cv2.COLOR_BGR2HSV_FULL)
        hsv[..., 0] = ((hsv[..., 0].astype(np.int32) + shift) % 256).astype(
            np.uint8)
        return cv2.cvtColor(hsv, cv2.COLOR_HSV2BGR_FULL)
    hsv = Image.fromarray(np.ascontiguousarray(img_bgr[..., ::-1])).convert(
        'HSV')
    hue, sat, val = (np.array(c) for c in hsv.split())
    hue = ((hue.astype(np.int32) + shift) % 256).astype(np.uint8)
    merged = Image.merge('HSV', [Image.fromarray(c) for c in (hue, sat, val)])
    return np.array(merged.convert('RGB'))[..., ::-1]


def test_grid_is_fine_and_covers_every_shift():
    assert len(GRID) == 1001 and GRID[0] == -0.5 and GRID[-1] == 0.5
    assert {numpy1_shift(h) for h in GRID} == set(range(129, 256)) | set(
        range(0, 128))


@pytest.mark.skipif(NUMPY2, reason='numpy 1 semantics are checked on numpy 1')
def test_numpy1_casts_by_truncation_then_modulo():
    for h in GRID:
        assert int(np.uint8(h * 255)) == numpy1_shift(h), h


@pytest.mark.parametrize('backend', BACKENDS)
def test_fix_equals_numpy1_result_on_the_whole_grid(backend):
    for img in IMAGES:
        for h in GRID:
            np.testing.assert_array_equal(
                fix.adjust_hue(img, h, backend=backend),
                reference_adjust_hue(img, h, backend),
                err_msg=f'hue_factor={h}, backend={backend}')


@pytest.mark.parametrize('backend', BACKENDS)
def test_fix_equals_upstream_where_upstream_is_right(backend):
    # numpy 2: upstream is right for h >= 0; numpy 1: everywhere.
    right = [h for h in GRID if h >= 0 or not NUMPY2]
    for img in IMAGES:
        for h in right:
            upstream = fix.ORIGINAL(img, h, backend=backend)
            np.testing.assert_array_equal(
                fix.adjust_hue(img, h, backend=backend), upstream,
                err_msg=f'hue_factor={h}')
            # the reference is numpy 1's real behaviour where upstream runs
            np.testing.assert_array_equal(
                reference_adjust_hue(img, h, backend), upstream)


def test_numpy_scalar_factors_keep_their_own_arithmetic():
    img = IMAGES[0]
    for h in (np.float32(-0.1), np.float64(-0.37), np.float32(0.2), -0.25):
        shift = int(h * 255) % 256  # in the factor's own precision
        hsv = cv2.cvtColor(img, cv2.COLOR_BGR2HSV_FULL)
        hsv[..., 0] = ((hsv[..., 0].astype(np.int32) + shift) % 256).astype(
            np.uint8)
        expected = cv2.cvtColor(hsv, cv2.COLOR_HSV2BGR_FULL)
        np.testing.assert_array_equal(
            fix.adjust_hue(img, h, backend='cv2'), expected)


def test_argument_errors_are_upstreams():
    img = IMAGES[0]
    for args in ((img, 0.6), (img, -0.51), (img[None], 0.1),
                 (img, 0.1, 'tifffile')):
        with pytest.raises(Exception) as ours:
            fix.adjust_hue(*args)
        with pytest.raises(Exception) as theirs:
            fix.ORIGINAL(*args)
        assert type(ours.value) is type(theirs.value)
        assert str(ours.value) == str(theirs.value)


def test_applied_exactly_where_upstream_is_broken():
    broken = NUMPY2 and mmcv.__version__.startswith(('2.0.', '2.1.', '2.2.'))
    if broken:
        with pytest.raises(OverflowError):
            fix.ORIGINAL(IMAGES[0], -0.1, backend='cv2')
    assert fix.bug_present() == broken
    assert ('adjust_hue' in applied_compat_fixes()) == broken
    expected = fix.adjust_hue if broken else fix.ORIGINAL
    # every name mmpretrain/mmcv users reach it by
    assert mmcv.adjust_hue is expected
    assert mmcv.image.adjust_hue is expected
    assert mmcv.image.photometric.adjust_hue is expected


def test_mmpretrain_color_jitter_runs_every_hue():
    from mmpretrain.registry import TRANSFORMS
    for backend in BACKENDS:
        jitter = TRANSFORMS.build(dict(type='ColorJitter', hue=0.5,
                                       backend=backend))
        np.random.seed(0)
        for _ in range(200):
            out = jitter(dict(img=IMAGES[1].copy()))
            assert out['img'].shape == IMAGES[1].shape
