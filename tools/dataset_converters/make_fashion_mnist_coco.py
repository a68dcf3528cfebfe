"""Make a small COCO-format detection / instance-segmentation set from Fashion-MNIST.

Each image is a canvas (default 128x128) with a noisy grey background onto
which 1..``--max-items`` Fashion-MNIST items are pasted at random positions
and scales without overlapping. An item's instance mask is its silhouette
(pixels brighter than ``--threshold`` after resizing); its box is the mask's
extent. Category ids are ``1..10`` in Fashion-MNIST label order. Masks are
stored as uncompressed COCO RLE, so they are exact and no extra package is
needed to write them.

Train canvases take items from the Fashion-MNIST train split, val canvases
from the test split. The output depends only on the arguments (same seed,
same files). ``make_fashion_mnist_seg.py`` renders the same canvases as a
semantic-segmentation set.

Example::

    python tools/dataset_converters/make_fashion_mnist_coco.py \
        data/fashion_mnist_coco --num-train 2000 --num-val 500 --seed 0

Layout written under OUT::

    images/train/00000.png ...   images/val/00000.png ...
    annotations/instances_train.json  annotations/instances_val.json
"""
import argparse
import json
import os
import os.path as osp
import sys
from typing import Dict, Iterator, List, Optional, Tuple

import numpy as np

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from dataset_sources import (FASHION_MNIST_CLASSES,  # noqa: E402
                             load_fashion_mnist)

#: Split name of the synthetic set -> Fashion-MNIST split its items come from.
SOURCE_SPLIT = {'train': 'train', 'val': 'test'}


def canvas_settings(args: argparse.Namespace) -> dict:
    """The arguments that determine the canvases (shared with the seg tool)."""
    return dict(canvas_size=args.canvas_size, max_items=args.max_items,
                min_scale=args.min_scale, max_scale=args.max_scale,
                threshold=args.threshold, seed=args.seed)


def add_canvas_args(parser: argparse.ArgumentParser) -> None:
    """Add the canvas arguments (shared with the seg tool)."""
    parser.add_argument('out', help='output folder')
    parser.add_argument('--source', help='folder with the Fashion-MNIST IDX '
                        'files (default: the Debian package location)')
    parser.add_argument('--num-train', type=int, default=2000,
                        help='number of train canvases (default 2000)')
    parser.add_argument('--num-val', type=int, default=500,
                        help='number of val canvases (default 500)')
    parser.add_argument('--canvas-size', type=int, default=128,
                        help='canvas side in pixels (default 128)')
    parser.add_argument('--max-items', type=int, default=3,
                        help='at most this many items per canvas (default 3)')
    parser.add_argument('--min-scale', type=float, default=1.0,
                        help='smallest item scale, 1.0 = 28 px (default 1.0)')
    parser.add_argument('--max-scale', type=float, default=2.0,
                        help='largest item scale (default 2.0)')
    parser.add_argument('--threshold', type=int, default=20,
                        help='silhouette threshold on 0..255 (default 20)')
    parser.add_argument('--seed', type=int, default=0)


def check_canvas_args(args: argparse.Namespace) -> None:
    """Exit with a message naming the bad argument and the fix."""
    largest = int(round(28 * args.max_scale))
    problems = []
    if args.num_train < 1 or args.num_val < 1:
        problems.append('--num-train and --num-val must be >= 1')
    if args.max_items < 1:
        problems.append('--max-items must be >= 1')
    if not 0 < args.min_scale <= args.max_scale:
        problems.append('need 0 < --min-scale <= --max-scale')
    if largest > args.canvas_size:
        problems.append(f'--max-scale {args.max_scale} makes items of '
                        f'{largest} px, larger than --canvas-size '
                        f'{args.canvas_size}; raise the canvas size or lower '
                        f'the scale')
    if not 0 <= args.threshold < 255:
        problems.append('--threshold must be in 0..254')
    if problems:
        sys.exit('Bad arguments: ' + '; '.join(problems) + '.')


def _place(rng: np.random.Generator, size: int, h: int, w: int,
           taken: List[Tuple[int, int, int, int]],
           tries: int = 20) -> Optional[Tuple[int, int]]:
    """A top-left corner where an h x w box overlaps no box in ``taken``."""
    for _ in range(tries):
        y = int(rng.integers(0, size - h + 1))
        x = int(rng.integers(0, size - w + 1))
        if all(x + w <= bx or bx + bw <= x or y + h <= by or by + bh <= y
               for bx, by, bw, bh in taken):
            return y, x
    return None


def make_canvases(images: np.ndarray, labels: np.ndarray, num: int,
                  canvas_size: int = 128, max_items: int = 3,
                  min_scale: float = 1.0, max_scale: float = 2.0,
                  threshold: int = 20, seed: int = 0, split_index: int = 0
                  ) -> Iterator[Tuple[np.ndarray, List[dict]]]:
    """Yield ``num`` canvases with their items.

    Args:
        images (np.ndarray): Fashion-MNIST items, (N, 28, 28) uint8.
        labels (np.ndarray): their labels, (N,).
        num (int): number of canvases.
        canvas_size (int): canvas side in pixels. Defaults to 128.
        max_items (int): at most this many items per canvas. Defaults to 3.
        min_scale (float): smallest item scale. Defaults to 1.0.
        max_scale (float): largest item scale. Defaults to 2.0.
        threshold (int): silhouette threshold. Defaults to 20.
        seed (int): random seed. Defaults to 0.
        split_index (int): mixed into the seed so splits differ.
            Defaults to 0.

    Yields:
        tuple: canvas (S, S) uint8 and a list of items, each
        ``dict(label=int, mask=(S, S) bool, bbox=[x, y, w, h])``; items
        never overlap, so the masks are disjoint.
    """
    import cv2
    rng = np.random.default_rng([seed, split_index])
    for _ in range(num):
        background = rng.integers(0, 60)
        canvas = np.clip(rng.normal(background, 12, (canvas_size,) * 2), 0,
                         255).astype(np.uint8)
        items, taken = [], []
        for _ in range(int(rng.integers(1, max_items + 1))):
            index = int(rng.integers(0, len(images)))
            side = int(round(28 * rng.uniform(min_scale, max_scale)))
            item = cv2.resize(images[index], (side, side),
                              interpolation=cv2.INTER_LINEAR)
            silhouette = item > threshold
            if silhouette.sum() < 4:
                continue
            ys, xs = np.nonzero(silhouette)
            y0, y1, x0, x1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
            item, silhouette = item[y0:y1, x0:x1], silhouette[y0:y1, x0:x1]
            h, w = silhouette.shape
            corner = _place(rng, canvas_size, h, w, taken)
            if corner is None:
                continue
            y, x = corner
            region = canvas[y:y + h, x:x + w]
            region[silhouette] = item[silhouette]
            mask = np.zeros((canvas_size, canvas_size), dtype=bool)
            mask[y:y + h, x:x + w] = silhouette
            taken.append((x, y, w, h))
            items.append(dict(label=int(labels[index]), mask=mask,
                              bbox=[x, y, w, h]))
        yield canvas, items


def uncompressed_rle(mask: np.ndarray) -> Dict[str, list]:
    """COCO uncompressed RLE of a bool mask (column-major, starts with 0s)."""
    flat = np.asarray(mask, dtype=np.uint8).flatten(order='F')
    change = np.flatnonzero(np.diff(flat)) + 1
    bounds = np.concatenate([[0], change, [flat.size]])
    counts = np.diff(bounds).tolist()
    if flat.size and flat[0] == 1:
        counts = [0] + counts
    return {'counts': counts, 'size': list(mask.shape)}


def write_coco_split(out: str, split: str, canvases) -> Dict[str, int]:
    """Write one split's images and COCO json. Returns counts."""
    import cv2
    img_dir = osp.join(out, 'images', split)
    os.makedirs(img_dir, exist_ok=True)
    os.makedirs(osp.join(out, 'annotations'), exist_ok=True)
    images, annotations = [], []
    for image_id, (canvas, items) in enumerate(canvases):
        file_name = f'{image_id:05d}.png'
        if not cv2.imwrite(osp.join(img_dir, file_name), canvas):
            raise OSError(f'Could not write {osp.join(img_dir, file_name)}.')
        images.append(dict(id=image_id, file_name=file_name,
                           height=canvas.shape[0], width=canvas.shape[1]))
        for item in items:
            annotations.append(dict(
                id=len(annotations) + 1, image_id=image_id,
                category_id=item['label'] + 1,
                bbox=[float(v) for v in item['bbox']],
                area=float(item['mask'].sum()), iscrowd=0,
                segmentation=uncompressed_rle(item['mask'])))
    categories = [dict(id=k + 1, name=name)
                  for k, name in enumerate(FASHION_MNIST_CLASSES)]
    path = osp.join(out, 'annotations', f'instances_{split}.json')
    with open(path, 'w') as f:
        json.dump(dict(images=images, annotations=annotations,
                       categories=categories), f)
    return dict(images=len(images), instances=len(annotations))


def split_canvases(args: argparse.Namespace):
    """``{split: canvas iterator}`` for the synthetic train and val splits."""
    source = load_fashion_mnist(args.source)
    settings = canvas_settings(args)
    nums = {'train': args.num_train, 'val': args.num_val}
    return {split: make_canvases(*source[SOURCE_SPLIT[split]], nums[split],
                                 split_index=i, **settings)
            for i, split in enumerate(('train', 'val'))}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    add_canvas_args(parser)
    args = parser.parse_args(argv)
    check_canvas_args(args)
    for split, canvases in split_canvases(args).items():
        counts = write_coco_split(args.out, split, canvases)
        print(f'{split}: {counts["images"]} images, {counts["instances"]} '
              f'instances -> {args.out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
