"""Shared helpers of the transfer tests: tools loaded by path, skip rules."""
import importlib.util
import os
import os.path as osp
import subprocess
import sys

import pytest

from tests.helpers import REPO_ROOT

CONFIG_ROOT = osp.join(REPO_ROOT, 'configs', 'benchmarks')
OPS_HINT = ('mmcv\'s compiled ops are missing (mmcv-lite): install full mmcv '
            '2.1.0 with `make mmcv-full` (CI: MMCV_WHEEL_CACHE=../shared/'
            'wheels make mmcv-full, which verifies the prebuilt wheel)')


def load_tool(relpath: str, name: str):
    """Import a script under tools/ as a module."""
    spec = importlib.util.spec_from_file_location(
        name, osp.join(REPO_ROOT, relpath))
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def require_transfer_extras():
    """Skip unless mmdet and mmseg are installed."""
    for name in ('mmdet', 'mmseg'):
        try:
            __import__(name)
        except ImportError:
            pytest.skip(f'{name} is not installed: '
                        f'`pip install -r requirements/transfer.txt`.')


def require_ops():
    """Skip (saying how to get them) unless mmcv's compiled ops load."""
    require_transfer_extras()
    from mmssl_ext.compat import has_mmcv_ops
    if not has_mmcv_ops():
        pytest.skip(OPS_HINT)


def tool_env() -> dict:
    """Environment for subprocesses: this venv's python and mim first."""
    env = dict(os.environ)
    env['PATH'] = osp.dirname(sys.executable) + os.pathsep + env['PATH']
    env['PYTHON'] = sys.executable
    env['PYTHONPATH'] = REPO_ROOT
    env.setdefault('OMP_NUM_THREADS', '2')
    return env


def write_small_fashion_mnist(out: str, num_train: int = 200,
                              num_test: int = 60) -> str:
    """Write the first Fashion-MNIST images as small IDX files (fast to load
    in the converters' ``--source``); skip if Fashion-MNIST is absent."""
    import gzip
    import struct

    from tests.helpers import dataset_sources
    FASHION_MNIST_DEBIAN_DIR = dataset_sources().FASHION_MNIST_DEBIAN_DIR
    load_fashion_mnist = dataset_sources().load_fashion_mnist
    if not osp.isdir(FASHION_MNIST_DEBIAN_DIR):
        pytest.skip('Fashion-MNIST is not installed: '
                    '`apt-get install dataset-fashion-mnist`.')
    splits = load_fashion_mnist()
    os.makedirs(out, exist_ok=True)
    names = {'train': ('train-images-idx3-ubyte', 'train-labels-idx1-ubyte'),
             'test': ('t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte')}
    for split, num in (('train', num_train), ('test', num_test)):
        images, labels = splits[split]
        for name, array in zip(names[split],
                               (images[:num], labels[:num].astype('uint8'))):
            header = struct.pack('>HBB', 0, 8, array.ndim) + struct.pack(
                f'>{array.ndim}I', *array.shape)
            with gzip.open(osp.join(out, name + '.gz'), 'wb') as f:
                f.write(header + array.tobytes())
    return out


def make_transfer_sets(root: str, source: str, num_train: int = 16,
                       num_val: int = 4, seed: int = 0) -> str:
    """Write data/fashion_mnist_coco and data/fashion_mnist_seg under root
    (in-process, items from the IDX files in ``source``)."""
    coco = load_tool('tools/dataset_converters/make_fashion_mnist_coco.py',
                     'make_fashion_mnist_coco')
    seg = load_tool('tools/dataset_converters/make_fashion_mnist_seg.py',
                    'make_fashion_mnist_seg')
    for tool, name in ((coco, 'fashion_mnist_coco'),
                       (seg, 'fashion_mnist_seg')):
        assert tool.main([osp.join(root, 'data', name), '--source', source,
                          '--num-train', str(num_train), '--num-val',
                          str(num_val), '--seed', str(seed)]) == 0
    return root
