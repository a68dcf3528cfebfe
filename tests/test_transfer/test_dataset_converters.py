"""The Fashion-MNIST detection / segmentation set makers."""
import filecmp
import json
import os.path as osp

import numpy as np
import pytest

from tests.test_transfer.helpers import (load_tool, make_transfer_sets,
                                         write_small_fashion_mnist)

coco_tool = load_tool('tools/dataset_converters/make_fashion_mnist_coco.py',
                      'make_fashion_mnist_coco')


def _rle_decode(rle):
    """Plain NumPy decoder of COCO uncompressed RLE (column-major)."""
    h, w = rle['size']
    flat = np.zeros(h * w, dtype=bool)
    pos, value = 0, False
    for count in rle['counts']:
        flat[pos:pos + count] = value
        pos, value = pos + count, not value
    assert pos == h * w
    return flat.reshape((w, h)).T


@pytest.mark.parametrize('mask', [
    np.zeros((3, 4), bool), np.ones((3, 4), bool),
    np.random.default_rng(0).random((7, 5)) > 0.5])
def test_uncompressed_rle_roundtrip(mask):
    assert (_rle_decode(coco_tool.uncompressed_rle(mask)) == mask).all()


def test_canvases_are_deterministic_and_disjoint():
    rng = np.random.default_rng(0)
    images = (rng.random((20, 28, 28)) * 255).astype(np.uint8)
    labels = np.arange(20) % 10
    kwargs = dict(num=5, canvas_size=96, max_items=3, seed=3)
    first = list(coco_tool.make_canvases(images, labels, **kwargs))
    second = list(coco_tool.make_canvases(images, labels, **kwargs))
    other = list(coco_tool.make_canvases(images, labels, **kwargs,
                                         split_index=1))
    assert all((a[0] == b[0]).all() for a, b in zip(first, second))
    assert any((a[0] != c[0]).any() for a, c in zip(first, other))
    for canvas, items in first:
        assert canvas.shape == (96, 96) and 1 <= len(items) <= 3
        union = np.zeros((96, 96), int)
        for item in items:
            x, y, w, h = item['bbox']
            ys, xs = np.nonzero(item['mask'])
            # The box is exactly the silhouette's extent.
            assert (xs.min(), ys.min(), xs.max() + 1, ys.max() + 1) == \
                (x, y, x + w, y + h)
            union += item['mask']
        assert union.max() == 1  # items never overlap


@pytest.fixture(scope='module')
def sets(tmp_path_factory):
    source = write_small_fashion_mnist(
        str(tmp_path_factory.mktemp('fmnist_idx')))
    root = str(tmp_path_factory.mktemp('transfer_sets'))
    make_transfer_sets(root, source, num_train=6, num_val=3, seed=1)
    again = str(tmp_path_factory.mktemp('transfer_sets_again'))
    make_transfer_sets(again, source, num_train=6, num_val=3, seed=1)
    return root, again


def test_coco_set_is_valid_and_deterministic(sets):
    import cv2
    root, again = sets
    coco = osp.join(root, 'data', 'fashion_mnist_coco')
    for split, num in (('train', 6), ('val', 3)):
        rel = f'annotations/instances_{split}.json'
        assert filecmp.cmp(osp.join(coco, rel),
                           osp.join(again, 'data', 'fashion_mnist_coco', rel),
                           shallow=False)
        with open(osp.join(coco, rel)) as f:
            ann = json.load(f)
        assert len(ann['images']) == num
        assert [c['id'] for c in ann['categories']] == list(range(1, 11))
        assert ann['annotations']
        for a in ann['annotations']:
            mask = _rle_decode(a['segmentation'])
            assert mask.sum() == a['area'] > 0
            x, y, w, h = map(int, a['bbox'])
            assert mask[y:y + h, x:x + w].sum() == mask.sum()
        image = cv2.imread(osp.join(coco, 'images', split,
                                    ann['images'][0]['file_name']))
        assert image.shape == (128, 128, 3)


def test_seg_set_matches_coco_set(sets):
    import cv2
    root, _ = sets
    coco = osp.join(root, 'data', 'fashion_mnist_coco')
    seg = osp.join(root, 'data', 'fashion_mnist_seg')
    with open(osp.join(coco, 'annotations', 'instances_val.json')) as f:
        ann = json.load(f)
    for image in ann['images']:
        name = image['file_name']
        assert filecmp.cmp(osp.join(coco, 'images', 'val', name),
                           osp.join(seg, 'img_dir', 'val', name),
                           shallow=False)
        expected = np.zeros((image['height'], image['width']), np.uint8)
        for a in ann['annotations']:
            if a['image_id'] == image['id']:
                expected[_rle_decode(a['segmentation'])] = a['category_id']
        label_map = cv2.imread(osp.join(seg, 'ann_dir', 'val', name),
                               cv2.IMREAD_UNCHANGED)
        assert (label_map == expected).all()
    with open(osp.join(seg, 'classes.txt')) as f:
        assert f.read().split()[0] == 'background'


def test_bad_arguments_name_the_fix(tmp_path):
    with pytest.raises(SystemExit, match='raise the canvas size'):
        coco_tool.main([str(tmp_path), '--canvas-size', '40',
                        '--max-scale', '2.0'])
