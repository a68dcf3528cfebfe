"""Write annotation files for semi-supervised fine-tuning subsets.

Two modes:

``imagenet``: the standard fixed ImageNet 1 % / 10 % image lists (SimCLR's
``1percent.txt`` / ``10percent.txt``, one file name such as
``n01440764_10026.JPEG`` per line; supplied by the user) are matched against
the full training annotation file (``path label`` lines, e.g. mmpretrain's
``data/imagenet/meta/train.txt``) and written as ``path label`` lines::

    python tools/dataset_converters/make_semi_supervised_subset.py imagenet \
        --subset-list 1percent.txt --ann-file data/imagenet/meta/train.txt \
        --out data/imagenet/meta/train_1percent.txt

``per-class``: for any labelled CustomDataset (an annotation file, or a
``<class>/<image>`` folder), a deterministic per-class subset: in every class
the images are sorted by path, shuffled with ``--seed`` and the first
``ceil(fraction * n_class)`` (at least 1) or ``--per-class`` are kept::

    python tools/dataset_converters/make_semi_supervised_subset.py per-class \
        --ann-file data/fashion_mnist/meta/train.txt --fraction 0.01 \
        --out data/fashion_mnist/meta/train_1pct.txt

The same input, fraction and seed always give the same file.
"""
import argparse
import math
import os
import os.path as osp
from collections import defaultdict
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

IMG_EXTENSIONS = ('.jpg', '.jpeg', '.png', '.ppm', '.bmp', '.pgm', '.tif',
                  '.tiff', '.webp')

Sample = Tuple[str, int]


def read_annotations(ann_file: str) -> List[Sample]:
    """Read ``path label`` lines."""
    if not osp.isfile(ann_file):
        raise FileNotFoundError(
            f'Annotation file {ann_file!r} does not exist: pass the '
            f'"path label" list of the full training set.')
    samples = []
    with open(ann_file) as f:
        for lineno, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            parts = line.rsplit(maxsplit=1)
            if len(parts) != 2 or not parts[1].lstrip('-').isdigit():
                raise ValueError(
                    f'{ann_file}:{lineno}: expected "path label", got '
                    f'{line!r}. Per-class subsets need a labelled list.')
            samples.append((parts[0], int(parts[1])))
    if not samples:
        raise ValueError(f'{ann_file!r} is empty: nothing to subsample.')
    return samples


def scan_folder(root: str) -> Tuple[List[Sample], List[str]]:
    """``root/<class>/<image>`` -> samples (paths relative to root), classes.

    Classes are the sorted sub-folder names (as CustomDataset orders them).
    """
    if not osp.isdir(root):
        raise FileNotFoundError(f'Image folder {root!r} does not exist.')
    classes = sorted(d for d in os.listdir(root)
                     if osp.isdir(osp.join(root, d)))
    if not classes:
        raise ValueError(
            f'{root!r} has no class sub-folders: expected '
            f'{root}/<class>/<image>, or pass --ann-file.')
    samples = []
    for label, cls in enumerate(classes):
        for dirpath, _, files in sorted(os.walk(osp.join(root, cls))):
            for name in sorted(files):
                if name.lower().endswith(IMG_EXTENSIONS):
                    rel = osp.relpath(osp.join(dirpath, name), root)
                    samples.append((rel.replace(os.sep, '/'), label))
    return samples, classes


def per_class_subset(samples: Sequence[Sample],
                     fraction: Optional[float] = None,
                     per_class: Optional[int] = None,
                     seed: int = 0,
                     num_classes: Optional[int] = None,
                     class_names: Optional[Sequence[str]] = None
                     ) -> List[Sample]:
    """Deterministic, class-balanced subset.

    Args:
        samples (Sequence[tuple]): ``(path, label)`` pairs.
        fraction (float, optional): keep ``ceil(fraction * n_c)`` (>= 1)
            images of each class c.
        per_class (int, optional): keep exactly this many per class.
        seed (int): shuffling seed. Defaults to 0.
        num_classes (int, optional): expected number of classes; labels
            ``0..num_classes-1`` must all have images. Defaults to
            ``max(label) + 1``.
        class_names (Sequence[str], optional): names for error messages.

    Returns:
        list: the selected ``(path, label)`` pairs, in input order.
    """
    if (fraction is None) == (per_class is None):
        raise ValueError('Give exactly one of --fraction or --per-class.')
    if fraction is not None and not 0 < fraction <= 1:
        raise ValueError(f'--fraction must be in (0, 1], got {fraction}.')
    if per_class is not None and per_class < 1:
        raise ValueError(f'--per-class must be >= 1, got {per_class}.')
    by_class: Dict[int, List[str]] = defaultdict(list)
    for path, label in samples:
        by_class[label].append(path)
    n_cls = num_classes if num_classes is not None else max(by_class) + 1
    empty = [c for c in range(n_cls) if not by_class.get(c)]
    if empty:
        names = [class_names[c] if class_names else c for c in empty]
        raise ValueError(
            f'Class(es) {names} have no images, so a per-class subset cannot '
            f'contain them. Remove the empty class folder(s) / fix the '
            f'labels, or pass the right --num-classes.')
    extra = sorted(c for c in by_class if c >= n_cls or c < 0)
    if extra:
        raise ValueError(f'Labels {extra} are outside 0..{n_cls - 1}: fix '
                         f'--num-classes or the annotation file.')
    keep = set()
    for c in range(n_cls):
        paths = sorted(by_class[c])
        if per_class is not None:
            k = per_class
            if k > len(paths):
                raise ValueError(
                    f'Class {class_names[c] if class_names else c} has only '
                    f'{len(paths)} images but --per-class {k} was asked: '
                    f'lower --per-class or use --fraction.')
        else:
            k = max(1, math.ceil(fraction * len(paths)))
        # A per-class generator: the choice for class c does not depend on
        # the other classes (adding a class keeps the others' subsets).
        rng = np.random.default_rng([seed, c])
        order = rng.permutation(len(paths))[:k]
        keep.update((paths[i], c) for i in order)
    return [s for s in samples if s in keep]


def imagenet_subset(samples: Sequence[Sample],
                    subset_list: str) -> List[Sample]:
    """Select the images named in a SimCLR-style ImageNet subset list."""
    if not osp.isfile(subset_list):
        raise FileNotFoundError(
            f'Subset list {subset_list!r} does not exist: download the '
            f'standard 1percent.txt / 10percent.txt ImageNet lists and pass '
            f'one with --subset-list.')
    with open(subset_list) as f:
        wanted = [ln.strip() for ln in f if ln.strip()]
    by_name = {}
    for path, label in samples:
        by_name.setdefault(osp.basename(path), (path, label))
    missing = [n for n in wanted if osp.basename(n) not in by_name]
    if missing:
        raise ValueError(
            f'{len(missing)} images of {subset_list} are not in the '
            f'annotation file (e.g. {missing[:3]}): pass the full ImageNet '
            f'training list as --ann-file.')
    return [by_name[osp.basename(n)] for n in wanted]


def write_annotations(samples: Sequence[Sample], out: str) -> None:
    os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
    with open(out, 'w') as f:
        for path, label in samples:
            f.write(f'{path} {label}\n')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Write semi-supervised subset annotation files.')
    sub = parser.add_subparsers(dest='mode', required=True)
    inet = sub.add_parser('imagenet', help='standard ImageNet 1%%/10%% lists')
    inet.add_argument('--subset-list', required=True)
    inet.add_argument('--ann-file', required=True,
                      help='full training list, "path label" lines')
    inet.add_argument('--out', required=True)
    pc = sub.add_parser('per-class', help='deterministic per-class subset')
    src = pc.add_mutually_exclusive_group(required=True)
    src.add_argument('--ann-file', help='"path label" lines')
    src.add_argument('--image-folder',
                     help='<folder>/<class>/<image> layout; paths are '
                     'written relative to this folder')
    amount = pc.add_mutually_exclusive_group(required=True)
    amount.add_argument('--fraction', type=float)
    amount.add_argument('--per-class', type=int)
    pc.add_argument('--seed', type=int, default=0)
    pc.add_argument('--num-classes', type=int, default=None)
    pc.add_argument('--out', required=True)
    return parser.parse_args(argv)


def main(argv=None) -> List[Sample]:
    args = parse_args(argv)
    if args.mode == 'imagenet':
        subset = imagenet_subset(read_annotations(args.ann_file),
                                 args.subset_list)
    else:
        names = None
        if args.ann_file:
            samples = read_annotations(args.ann_file)
        else:
            samples, names = scan_folder(args.image_folder)
        num_classes = args.num_classes
        if names is not None and num_classes is None:
            num_classes = len(names)
        subset = per_class_subset(samples, args.fraction, args.per_class,
                                  args.seed, num_classes, names)
    write_annotations(subset, args.out)
    n_cls = len({label for _, label in subset})
    print(f'Wrote {len(subset)} images of {n_cls} classes to {args.out}')
    return subset


if __name__ == '__main__':
    main()
