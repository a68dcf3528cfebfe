"""Readers for multi-label image sets: PASCAL VOC2007 and a plain text file.

Both return image paths and an ``(N, C)`` int array with the SVM benchmark's
convention: ``1`` present, ``0`` absent, ``-1`` difficult (the class occurs
only as objects marked difficult).
"""
import os.path as osp
import xml.etree.ElementTree as ET
from typing import List, Optional, Sequence, Tuple

import numpy as np

VOC_CLASSES = ('aeroplane', 'bicycle', 'bird', 'boat', 'bottle', 'bus', 'car',
               'cat', 'chair', 'cow', 'diningtable', 'dog', 'horse',
               'motorbike', 'person', 'pottedplant', 'sheep', 'sofa', 'train',
               'tvmonitor')

__all__ = ['VOC_CLASSES', 'read_voc07', 'read_multilabel_file']


def read_voc07(root: str, split: str,
               classes: Sequence[str] = VOC_CLASSES
               ) -> Tuple[List[str], np.ndarray]:
    """Read ``root/ImageSets/Main/<split>.txt`` and ``root/Annotations``.

    Args:
        root (str): the ``VOCdevkit/VOC2007`` folder.
        split (str): ``'trainval'`` or ``'test'`` (any ImageSets/Main list).
        classes (Sequence[str]): class names, in label order.

    Returns:
        tuple: image paths (``root/JPEGImages/<id>.jpg``) and ``(N, C)``
        labels in {1, 0, -1}.
    """
    list_file = osp.join(root, 'ImageSets', 'Main', f'{split}.txt')
    if not osp.isfile(list_file):
        raise FileNotFoundError(
            f'{list_file} does not exist: pass the VOC2007 folder '
            f'(VOCdevkit/VOC2007, holding ImageSets/, Annotations/, '
            f'JPEGImages/) and a split such as trainval or test.')
    with open(list_file) as f:
        ids = [ln.strip().split()[0] for ln in f if ln.strip()]
    index = {c: i for i, c in enumerate(classes)}
    labels = np.zeros((len(ids), len(classes)), dtype=np.int32)
    for row, img_id in enumerate(ids):
        xml = osp.join(root, 'Annotations', f'{img_id}.xml')
        if not osp.isfile(xml):
            raise FileNotFoundError(f'Annotation {xml} is missing for image '
                                    f'{img_id} listed in {list_file}.')
        for obj in ET.parse(xml).getroot().iter('object'):
            name = obj.findtext('name', '').strip()
            if name not in index:
                raise ValueError(f'{xml}: unknown class {name!r}; pass the '
                                 f'dataset\'s class list.')
            difficult = int(obj.findtext('difficult', '0') or 0)
            c = index[name]
            if not difficult:
                labels[row, c] = 1
            elif labels[row, c] == 0:
                labels[row, c] = -1
    paths = [osp.join(root, 'JPEGImages', f'{i}.jpg') for i in ids]
    return paths, labels


def read_multilabel_file(ann_file: str, data_root: str = '',
                         num_classes: Optional[int] = None
                         ) -> Tuple[List[str], np.ndarray]:
    """Read a multi-label list: ``path c1 c2 ... [d<c> ...]`` per line.

    Integers are the classes present; ``d<c>`` (e.g. ``d7``) marks class
    ``c`` as difficult for that image. Lines starting with ``#`` are skipped.

    Args:
        ann_file (str): the list.
        data_root (str): prefix joined to relative paths. Defaults to ''.
        num_classes (int, optional): defaults to the largest class + 1.

    Returns:
        tuple: paths and ``(N, C)`` labels in {1, 0, -1}.
    """
    if not osp.isfile(ann_file):
        raise FileNotFoundError(f'Annotation file {ann_file!r} does not '
                                f'exist.')
    paths, rows = [], []
    with open(ann_file) as f:
        for lineno, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith('#'):
                continue
            path, *tokens = line.split()
            pos, diff = [], []
            for tok in tokens:
                target = diff if tok.startswith('d') else pos
                try:
                    target.append(int(tok.lstrip('d')))
                except ValueError:
                    raise ValueError(
                        f'{ann_file}:{lineno}: {tok!r} is not a class index '
                        f'(use "path 3 7 d5": 3 and 7 present, 5 '
                        f'difficult).') from None
            paths.append(osp.join(data_root, path))
            rows.append((pos, diff))
    if not rows:
        raise ValueError(f'{ann_file!r} lists no image.')
    top = max([max(p + d, default=-1) for p, d in rows]) + 1
    num_classes = num_classes or top
    if top > num_classes:
        raise ValueError(f'{ann_file} uses class {top - 1} but num_classes '
                         f'is {num_classes}: raise num_classes.')
    labels = np.zeros((len(rows), num_classes), dtype=np.int32)
    for r, (pos, diff) in enumerate(rows):
        labels[r, diff] = -1
        labels[r, pos] = 1
    return paths, labels
