"""RotationViews: shapes, labels, the rotation itself, randomness."""
import numpy as np
import pytest
from mmpretrain.registry import TRANSFORMS

import mmssl_ext  # noqa: F401


def test_views_are_rotations_with_labels():
    img = np.random.randint(0, 255, (6, 6, 3), dtype=np.uint8)
    out = TRANSFORMS.build(dict(type='RotationViews'))(dict(img=img.copy()))
    assert len(out['img']) == 4
    assert out['rot_label'].tolist() == [0, 1, 2, 3]
    assert out['rot_label'].dtype == np.int64
    # view k is a counter-clockwise rotation by k * 90 degrees
    np.testing.assert_array_equal(out['img'][0], img)
    np.testing.assert_array_equal(out['img'][1][:, :, 0],
                                  img[:, ::-1, 0].T)  # CCW 90
    np.testing.assert_array_equal(out['img'][2], img[::-1, ::-1])
    for view in out['img']:
        assert view.shape == img.shape and view.flags.c_contiguous


def test_shuffle_is_random_per_call_and_labels_follow():
    np.random.seed(0)
    img = np.arange(16, dtype=np.uint8).reshape(4, 4)
    transform = TRANSFORMS.build(dict(type='RotationViews', shuffle=True))
    orders = set()
    for _ in range(20):
        out = transform(dict(img=img.copy()))
        orders.add(tuple(out['rot_label']))
        for view, k in zip(out['img'], out['rot_label']):
            np.testing.assert_array_equal(view, np.rot90(img, k))
    assert len(orders) > 3


def test_non_square_image_is_a_clear_error():
    with pytest.raises(ValueError, match='square'):
        TRANSFORMS.build(dict(type='RotationViews'))(
            dict(img=np.zeros((4, 6, 3), np.uint8)))
