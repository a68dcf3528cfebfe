import os

import pytest

from tests.helpers import prepare_fashion_mnist

# Tests run on 2 CPU cores; keep torch from oversubscribing them.
os.environ.setdefault('OMP_NUM_THREADS', '2')


@pytest.fixture(scope='session')
def fmnist_tiny(tmp_path_factory) -> str:
    """Fashion-MNIST, first 256 train / 128 test images, both CustomDataset
    layouts (``train/<k>_<class>/``, ``meta/train.txt``, ``meta/unlabeled.txt``)."""
    root = str(tmp_path_factory.mktemp('fmnist_tiny'))
    return prepare_fashion_mnist(root, 256, 128)
