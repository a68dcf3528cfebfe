import numpy as np
import pytest

import mmssl_ext  # noqa: F401
from mmpretrain.registry import DATASETS

PIPELINE = [dict(type='LoadImageFromFile'), dict(type='PackInputs')]


@pytest.mark.parametrize('with_label', [True, False])
def test_wraps_custom_dataset(fmnist_tiny, with_label):
    inner = dict(type='CustomDataset', data_root=fmnist_tiny,
                 data_prefix='train/', with_label=with_label,
                 pipeline=PIPELINE)
    if with_label:
        inner.update(ann_file='meta/train.txt', data_prefix='')
    ds = DATASETS.build(dict(type='PseudoLabelDataset', dataset=inner))
    assert len(ds) == 256
    with pytest.raises(RuntimeError, match='DeepClusterHook'):
        ds[0]
    labels = (np.arange(256) * 7) % 5
    ds.assign_labels(labels)
    for i in (0, 3, 255):
        item = ds[i]
        assert int(item['data_samples'].gt_label) == labels[i]
        assert item['data_samples'].sample_idx == i
        assert item['inputs'].shape == (3, 28, 28)
    assert (ds.pseudo_labels == labels).all()
    assert ds.metainfo is not None


def test_bad_input(fmnist_tiny):
    ds = DATASETS.build(dict(
        type='PseudoLabelDataset',
        dataset=dict(type='CustomDataset', data_root=fmnist_tiny,
                     data_prefix='train/', with_label=False,
                     pipeline=PIPELINE)))
    with pytest.raises(ValueError, match='same dataset'):
        ds.assign_labels(np.zeros(10, int))
    with pytest.raises(ValueError, match='non-negative'):
        ds.assign_labels(-np.ones(256, int))
    with pytest.raises(TypeError, match='BaseDataset'):
        DATASETS.build(dict(type='PseudoLabelDataset', dataset=[1, 2]))
