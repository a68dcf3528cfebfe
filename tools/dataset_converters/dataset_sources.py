"""Small real image-classification sources available without internet
(used by the dataset converters next to this file and by tools/demo.py).

* Fashion-MNIST as shipped by the Debian package ``dataset-fashion-mnist``
  (IDX files, optionally gzipped) or IDX files at any path.
* scikit-learn's ``load_digits`` (1,797 8x8 images, shipped inside sklearn).

and a writer that lays them out in both CustomDataset formats of the seeds:

* subfolder: ``{split}/{class}/{index}.png``
* annotation file: ``meta/{split}.txt`` (``path label``) and
  ``meta/unlabeled.txt`` (``path`` only), paths relative to the root.
"""
import gzip
import os
import os.path as osp
import struct
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

FASHION_MNIST_DEBIAN_DIR = '/usr/share/datasets/fashion-mnist'
FASHION_MNIST_CLASSES = ('t-shirt_top', 'trouser', 'pullover', 'dress', 'coat',
                         'sandal', 'shirt', 'sneaker', 'bag', 'ankle_boot')
DIGITS_CLASSES = tuple(str(i) for i in range(10))

_FMNIST_FILES = {
    'train': ('train-images-idx3-ubyte', 'train-labels-idx1-ubyte'),
    'test': ('t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'),
}


def read_idx(path: str) -> np.ndarray:
    """Read an IDX file (``.gz`` or plain) into a uint8 array."""
    opener = gzip.open if path.endswith('.gz') else open
    with opener(path, 'rb') as f:
        data = f.read()
    if len(data) < 4:
        raise ValueError(f'{path} is too short to be an IDX file.')
    zero, dtype_code, ndim = struct.unpack('>HBB', data[:4])
    if zero != 0 or dtype_code != 0x08:
        raise ValueError(f'{path} is not an unsigned-byte IDX file '
                         f'(magic {data[:4].hex()}).')
    shape = struct.unpack(f'>{ndim}I', data[4:4 + 4 * ndim])
    arr = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    if arr.size != int(np.prod(shape)):
        raise ValueError(f'{path}: header says {shape}, found {arr.size} '
                         f'values; the file is truncated.')
    return arr.reshape(shape)


def _find_idx(source: str, stem: str) -> str:
    for name in (stem + '.gz', stem, stem.replace('-idx', '.idx')):
        path = osp.join(source, name)
        if osp.isfile(path):
            return path
    raise FileNotFoundError(
        f'Fashion-MNIST file {stem}[.gz] not found in {source!r}. Install the '
        f'Debian package (`apt-get install dataset-fashion-mnist`, files in '
        f'{FASHION_MNIST_DEBIAN_DIR}) or pass --source DIR with the four IDX '
        f'files.')


def load_fashion_mnist(
        source: Optional[str] = None) -> Dict[str, Tuple[np.ndarray, np.ndarray]]:
    """Load Fashion-MNIST. Returns ``{'train': (N,28,28), labels}, 'test': ...}``."""
    source = source or FASHION_MNIST_DEBIAN_DIR
    if not osp.isdir(source):
        raise FileNotFoundError(
            f'Fashion-MNIST source folder {source!r} does not exist. Install '
            f'it with `apt-get install dataset-fashion-mnist` or pass --source '
            f'DIR holding the IDX files.')
    splits = {}
    for split, (img_stem, lbl_stem) in _FMNIST_FILES.items():
        images = read_idx(_find_idx(source, img_stem))
        labels = read_idx(_find_idx(source, lbl_stem))
        if len(images) != len(labels):
            raise ValueError(f'Fashion-MNIST {split}: {len(images)} images '
                             f'but {len(labels)} labels.')
        splits[split] = (images, labels.astype(np.int64))
    return splits


def load_digits_splits(test_fraction: float = 0.2,
                       seed: int = 0) -> Dict[str, Tuple[np.ndarray, np.ndarray]]:
    """sklearn digits as uint8 8x8 images, split per class deterministically."""
    try:
        from sklearn.datasets import load_digits
    except ImportError as exc:
        raise ImportError('The digits source needs scikit-learn: '
                          '`pip install scikit-learn`.') from exc
    digits = load_digits()
    images = np.clip(digits.images * (255.0 / 16.0), 0, 255).round()
    images = images.astype(np.uint8)
    labels = digits.target.astype(np.int64)
    rng = np.random.default_rng(seed)
    test_mask = np.zeros(len(labels), dtype=bool)
    for cls in np.unique(labels):
        idx = np.flatnonzero(labels == cls)
        rng.shuffle(idx)
        test_mask[idx[:int(round(len(idx) * test_fraction))]] = True
    return {'train': (images[~test_mask], labels[~test_mask]),
            'test': (images[test_mask], labels[test_mask])}


def class_folder_names(classes: Sequence[str]) -> List[str]:
    """Folder names whose sorted order equals the label order."""
    width = len(str(len(classes) - 1))
    return [f'{i:0{width}d}_{name}' for i, name in enumerate(classes)]


def write_classification_dataset(root: str,
                                 splits: Dict[str, Tuple[np.ndarray, np.ndarray]],
                                 classes: Sequence[str],
                                 limits: Optional[Dict[str, int]] = None) -> Dict[str, int]:
    """Write images in subfolder layout plus annotation files.

    Args:
        root (str): output folder.
        splits (dict): ``{split: (images (N,H,W) uint8, labels (N,))}``.
        classes (Sequence[str]): class names, index = label.
        limits (dict, optional): keep only the first ``n`` images of a split.

    Returns:
        dict: number of images written per split.
    """
    import cv2
    folders = class_folder_names(classes)
    os.makedirs(osp.join(root, 'meta'), exist_ok=True)
    counts = {}
    unlabeled = []
    for split, (images, labels) in splits.items():
        n = len(images)
        if limits and limits.get(split) is not None:
            n = min(n, int(limits[split]))
        if n == 0:
            raise ValueError(f'Split {split!r} would be empty; raise its limit.')
        lines = []
        for folder in folders:
            os.makedirs(osp.join(root, split, folder), exist_ok=True)
        for i in range(n):
            label = int(labels[i])
            if not 0 <= label < len(classes):
                raise ValueError(f'{split}[{i}] has label {label}, outside '
                                 f'0..{len(classes) - 1}.')
            rel = f'{split}/{folders[label]}/{i:05d}.png'
            if not cv2.imwrite(osp.join(root, rel), images[i]):
                raise OSError(f'Could not write {osp.join(root, rel)}.')
            lines.append(f'{rel} {label}')
            if split == 'train':
                unlabeled.append(rel)
        with open(osp.join(root, 'meta', f'{split}.txt'), 'w') as f:
            f.write('\n'.join(lines) + '\n')
        counts[split] = n
    with open(osp.join(root, 'meta', 'unlabeled.txt'), 'w') as f:
        f.write('\n'.join(unlabeled) + '\n')
    with open(osp.join(root, 'meta', 'classes.txt'), 'w') as f:
        f.write('\n'.join(folders) + '\n')
    return counts
