"""Dataset converters: Fashion-MNIST (IDX) and sklearn digits into both
CustomDataset formats."""
import gzip
import os.path as osp
import struct
import subprocess
import sys

import numpy as np
import pytest
from mmengine.registry import init_default_scope

import mmssl_ext  # noqa: F401
from mmpretrain.registry import DATASETS
from tests.helpers import PREPARE_SCRIPT, dataset_sources


def _write_idx(path, arr):
    header = struct.pack('>HBB', 0, 0x08, arr.ndim) + struct.pack(
        f'>{arr.ndim}I', *arr.shape)
    with gzip.open(path, 'wb') as f:
        f.write(header + arr.astype(np.uint8).tobytes())


@pytest.fixture
def idx_source(tmp_path):
    rng = np.random.default_rng(0)
    src = tmp_path / 'idx'
    src.mkdir()
    for prefix, n in (('train', 30), ('t10k', 12)):
        _write_idx(src / f'{prefix}-images-idx3-ubyte.gz',
                   rng.integers(0, 256, (n, 28, 28)))
        _write_idx(src / f'{prefix}-labels-idx1-ubyte.gz', np.arange(n) % 10)
    return str(src)


def _run(*args):
    return subprocess.run([sys.executable, PREPARE_SCRIPT, *map(str, args)],
                          capture_output=True, text=True)


def test_fashion_mnist_both_formats(idx_source, tmp_path):
    out = tmp_path / 'fm'
    proc = _run('fashion-mnist', out, '--source', idx_source, '--limit-test',
                '5')
    assert proc.returncode == 0, proc.stderr
    init_default_scope('mmpretrain')
    sub = DATASETS.build(dict(type='CustomDataset', data_root=str(out),
                              data_prefix='train'))
    ann = DATASETS.build(dict(type='CustomDataset', data_root=str(out),
                              ann_file='meta/train.txt'))
    unl = DATASETS.build(dict(type='CustomDataset', data_root=str(out),
                              ann_file='meta/unlabeled.txt', with_label=False))
    test = DATASETS.build(dict(type='CustomDataset', data_root=str(out),
                               ann_file='meta/test.txt'))
    assert len(sub) == len(ann) == len(unl) == 30 and len(test) == 5
    # folder order == label order, so both formats agree on every label
    def infos(ds):
        return [ds.get_data_info(i) for i in range(len(ds))]

    by_path = {osp.basename(d['img_path']): d['gt_label'] for d in infos(sub)}
    assert len(by_path) == 30
    for d in infos(ann):
        assert by_path[osp.basename(d['img_path'])] == d['gt_label']
    assert sorted(set(ann.get_gt_labels().tolist())) == list(range(10))
    assert all('gt_label' not in d for d in infos(unl))
    # the images are the IDX pixels, in order
    import cv2
    read_idx = dataset_sources().read_idx
    pixels = read_idx(osp.join(idx_source, 'train-images-idx3-ubyte.gz'))
    first = cv2.imread(ann.get_data_info(0)['img_path'], cv2.IMREAD_UNCHANGED)
    assert np.array_equal(first, pixels[0])
    # a second run is a no-op
    again = _run('fashion-mnist', out, '--source', idx_source, '--limit-test',
                 '5')
    assert 'nothing to do' in again.stdout


def test_digits(tmp_path):
    proc = _run('digits', tmp_path / 'digits')
    assert proc.returncode == 0, proc.stderr
    lines = open(tmp_path / 'digits' / 'meta' / 'train.txt').read().split()
    train = len(lines) // 2
    test = len(open(tmp_path / 'digits' / 'meta' /
                    'test.txt').read().split()) // 2
    assert train + test == 1797 and abs(test - 1797 * 0.2) < 10


def test_missing_source_says_what_to_install(tmp_path):
    proc = _run('fashion-mnist', tmp_path / 'x', '--source', tmp_path / 'nope')
    assert proc.returncode != 0
    assert 'apt-get install dataset-fashion-mnist' in proc.stderr
    empty = tmp_path / 'empty'
    empty.mkdir()
    proc = _run('fashion-mnist', tmp_path / 'x', '--source', empty)
    assert proc.returncode != 0 and '--source' in proc.stderr


def test_truncated_idx_is_reported(tmp_path):
    read_idx = dataset_sources().read_idx
    path = tmp_path / 'bad-idx3-ubyte'
    path.write_bytes(struct.pack('>HBB', 0, 8, 1) + struct.pack('>I', 10) +
                     b'\x00' * 3)
    with pytest.raises(ValueError, match='truncated'):
        read_idx(str(path))
