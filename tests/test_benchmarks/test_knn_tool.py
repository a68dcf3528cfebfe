"""benchmarks/classification/knn/test_knn.py fails before any extraction:
k larger than the training split, an --out it could not write."""
import os
import os.path as osp

import pytest

from tests.helpers import REPO_ROOT, TINY_CLASSIFIER_CFG
from tests.test_tools._load_tool import load_tool

KNN_DATA = osp.join(REPO_ROOT, 'configs', '_base_', 'datasets',
                    'fashion-mnist_knn.py')
CFG = f"_base_ = ['{KNN_DATA}']\n" + TINY_CLASSIFIER_CFG


@pytest.fixture
def knn(monkeypatch, fmnist_tiny, tmp_path):
    tool = load_tool('../benchmarks/classification/knn/test_knn.py')

    def no_extraction(*args, **kwargs):
        raise AssertionError('features were extracted before the check')

    monkeypatch.setattr(tool, 'extract_features', no_extraction)
    cfg = tmp_path / 'cfg.py'
    cfg.write_text(CFG)
    args = [str(cfg), '--random-init', '--cfg-options',
            f'knn_train_dataloader.dataset.data_root={fmnist_tiny}',
            f'knn_test_dataloader.dataset.data_root={fmnist_tiny}',
            'knn_train_dataloader.dataset.indices=20',
            'knn_test_dataloader.dataset.indices=10']
    return tool, args


def test_k_larger_than_the_training_split(knn):
    tool, args = knn
    with pytest.raises(SystemExit, match=r'k=50 is not in \[1, 20\].*--ks'):
        tool.main(args + ['--ks', '5', '50'])
    with pytest.raises(SystemExit, match=r'k=0 is not in \[1, 20\]'):
        tool.main(args + ['--ks', '0'])


def test_unwritable_out(knn, tmp_path):
    tool, args = knn
    a_file = tmp_path / 'results.txt'
    a_file.write_text('')
    with pytest.raises(SystemExit, match='results.txt is a file, not a '
                       'folder'):
        tool.main(args + ['--out', str(a_file / 'sub' / 'knn.json')])
    with pytest.raises(SystemExit, match='is a directory: pass a file name'):
        tool.main(args + ['--out', str(tmp_path)])
    if os.geteuid() != 0:  # root may write anywhere
        locked = tmp_path / 'locked'
        locked.mkdir()
        locked.chmod(0o500)
        try:
            with pytest.raises(SystemExit, match='is not writable'):
                tool.main(args + ['--out', str(locked / 'knn.json')])
        finally:
            locked.chmod(0o700)
