"""Semi-supervised subsets: per-class balanced, reproducible, ImageNet lists,
clear errors."""
import os

import pytest

from tests.test_tools._load_tool import load_tool

tool = load_tool('dataset_converters/make_semi_supervised_subset.py')


def _counts(samples):
    out = {}
    for _, label in samples:
        out[label] = out.get(label, 0) + 1
    return out


def test_per_class_fraction_balanced_and_reproducible(fmnist_tiny, tmp_path):
    ann = os.path.join(fmnist_tiny, 'meta', 'train.txt')
    full = tool.read_annotations(ann)
    out1, out2 = tmp_path / 'a.txt', tmp_path / 'b.txt'
    sub = tool.main(['per-class', '--ann-file', ann, '--fraction', '0.1',
                     '--out', str(out1)])
    tool.main(['per-class', '--ann-file', ann, '--fraction', '0.1',
               '--out', str(out2)])
    assert out1.read_text() == out2.read_text()
    full_counts, sub_counts = _counts(full), _counts(sub)
    assert set(sub_counts) == set(full_counts) == set(range(10))
    for c, n in full_counts.items():
        assert sub_counts[c] == max(1, -(-n // 10))   # ceil(n / 10)
    assert set(sub) <= set(full)
    other = tool.main(['per-class', '--ann-file', ann, '--fraction', '0.1',
                       '--seed', '1', '--out', str(tmp_path / 'c.txt')])
    assert set(other) != set(sub)


def test_per_class_count_from_folder(fmnist_tiny, tmp_path):
    sub = tool.main(['per-class', '--image-folder',
                     os.path.join(fmnist_tiny, 'train'), '--per-class', '3',
                     '--out', str(tmp_path / 'a.txt')])
    assert _counts(sub) == {c: 3 for c in range(10)}
    first = (tmp_path / 'a.txt').read_text().split('\n')[0]
    assert first.split()[0].count('/') == 1   # <class>/<image>


def test_empty_class_and_too_many(tmp_path):
    (tmp_path / 'imgs' / 'a').mkdir(parents=True)
    (tmp_path / 'imgs' / 'b').mkdir()
    (tmp_path / 'imgs' / 'a' / 'x.png').write_bytes(b'')
    with pytest.raises(ValueError, match=r"\['b'\] have no images"):
        tool.main(['per-class', '--image-folder', str(tmp_path / 'imgs'),
                   '--fraction', '0.5', '--out', str(tmp_path / 'o.txt')])
    ann = tmp_path / 'ann.txt'
    ann.write_text('a.png 0\nb.png 2\n')
    with pytest.raises(ValueError, match=r'\[1\] have no images'):
        tool.main(['per-class', '--ann-file', str(ann), '--fraction', '0.5',
                   '--out', str(tmp_path / 'o.txt')])
    ann.write_text('a.png 0\nb.png 1\n')
    with pytest.raises(ValueError, match='only 1 images'):
        tool.main(['per-class', '--ann-file', str(ann), '--per-class', '2',
                   '--out', str(tmp_path / 'o.txt')])


def test_imagenet_list(tmp_path):
    ann = tmp_path / 'train.txt'
    ann.write_text('n01/n01_1.JPEG 0\nn01/n01_2.JPEG 0\nn02/n02_7.JPEG 1\n')
    lst = tmp_path / '1percent.txt'
    lst.write_text('n02_7.JPEG\nn01_1.JPEG\n')
    out = tmp_path / 'train_1percent.txt'
    tool.main(['imagenet', '--subset-list', str(lst), '--ann-file', str(ann),
               '--out', str(out)])
    assert out.read_text() == 'n02/n02_7.JPEG 1\nn01/n01_1.JPEG 0\n'
    lst.write_text('n03_1.JPEG\n')
    with pytest.raises(ValueError, match='not in the annotation file'):
        tool.main(['imagenet', '--subset-list', str(lst), '--ann-file',
                   str(ann), '--out', str(out)])
