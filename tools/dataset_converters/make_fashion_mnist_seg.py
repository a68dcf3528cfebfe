"""Make a small semantic-segmentation set from Fashion-MNIST.

Renders exactly the canvases of ``make_fashion_mnist_coco.py`` (same
arguments and seed give the same images), with a label map per image:
``0`` = background, ``k + 1`` = Fashion-MNIST class ``k`` (11 classes).
Readable by mmseg's ``BaseSegDataset`` with ``img_suffix='.png'``,
``seg_map_suffix='.png'`` and ``reduce_zero_label=False``.

Example::

    python tools/dataset_converters/make_fashion_mnist_seg.py \
        data/fashion_mnist_seg --num-train 2000 --num-val 500 --seed 0

Layout written under OUT::

    img_dir/train/00000.png ...   ann_dir/train/00000.png ...
    img_dir/val/...               ann_dir/val/...
    classes.txt
"""
import argparse
import os
import os.path as osp
import sys

import numpy as np

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from make_fashion_mnist_coco import (add_canvas_args,  # noqa: E402
                                     check_canvas_args, split_canvases)

from dataset_sources import FASHION_MNIST_CLASSES  # noqa: E402

#: Class names of the segmentation set, index = label value.
SEG_CLASSES = ('background', ) + tuple(FASHION_MNIST_CLASSES)


def write_seg_split(out: str, split: str, canvases) -> int:
    """Write one split's images and label maps. Returns the image count."""
    import cv2
    img_dir = osp.join(out, 'img_dir', split)
    ann_dir = osp.join(out, 'ann_dir', split)
    os.makedirs(img_dir, exist_ok=True)
    os.makedirs(ann_dir, exist_ok=True)
    count = 0
    for count, (canvas, items) in enumerate(canvases, 1):
        label_map = np.zeros(canvas.shape, dtype=np.uint8)
        for item in items:
            label_map[item['mask']] = item['label'] + 1
        name = f'{count - 1:05d}.png'
        for folder, array in ((img_dir, canvas), (ann_dir, label_map)):
            if not cv2.imwrite(osp.join(folder, name), array):
                raise OSError(f'Could not write {osp.join(folder, name)}.')
    return count


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    add_canvas_args(parser)
    args = parser.parse_args(argv)
    check_canvas_args(args)
    for split, canvases in split_canvases(args).items():
        count = write_seg_split(args.out, split, canvases)
        print(f'{split}: {count} images -> {args.out}')
    with open(osp.join(args.out, 'classes.txt'), 'w') as f:
        f.write('\n'.join(SEG_CLASSES) + '\n')
    return 0


if __name__ == '__main__':
    sys.exit(main())
