"""COCOImageList, PackSelfSupInputs and clear errors for bad dataset input."""
import json

import cv2
import numpy as np
import pytest
import torch
from mmengine.registry import init_default_scope

import mmssl_ext  # noqa: F401
from mmpretrain.registry import DATASETS, MODELS, TRANSFORMS


@pytest.fixture(autouse=True)
def scope():
    init_default_scope('mmpretrain')


def _coco(tmp_path, images, annotations=()):
    (tmp_path / 'train2017').mkdir(exist_ok=True)
    for im in images:
        cv2.imwrite(str(tmp_path / 'train2017' / im['file_name']),
                    np.full((20, 24, 3), im['id'], np.uint8))
    path = tmp_path / 'instances.json'
    path.write_text(json.dumps({'images': images,
                                'annotations': list(annotations)}))
    return path


def test_coco_image_list_reads_images(tmp_path):
    images = [{'id': i, 'file_name': f'{i:03d}.png'} for i in range(1, 4)]
    _coco(tmp_path, images, [{'image_id': 2, 'bbox': [0, 0, 1, 1]}])
    cfg = dict(type='COCOImageList', data_root=str(tmp_path),
               ann_file='instances.json', data_prefix=dict(img='train2017/'),
               pipeline=[dict(type='LoadImageFromFile'),
                         dict(type='PackInputs')])
    ds = DATASETS.build(cfg)
    assert len(ds) == 3
    sample = ds[1]
    assert sample['inputs'].shape == (3, 20, 24)
    assert int(sample['inputs'][0, 0, 0]) == 2
    only = DATASETS.build(dict(cfg, only_annotated=True))
    assert len(only) == 1


@pytest.mark.parametrize('content,match', [
    (None, 'not found'),
    ('{not json', 'not valid JSON'),
    ('{"annotations": []}', 'no "images" list'),
    ('{"images": []}', 'lists no images'),
])
def test_coco_image_list_errors(tmp_path, content, match):
    if content is not None:
        (tmp_path / 'a.json').write_text(content)
    with pytest.raises((FileNotFoundError, ValueError), match=match):
        DATASETS.build(dict(type='COCOImageList', data_root=str(tmp_path),
                            ann_file='a.json'))


def test_pack_selfsup_inputs_matches_seed_layout():
    pack = TRANSFORMS.build(dict(type='PackSelfSupInputs',
                                 pseudo_label_keys=['rot_label'],
                                 meta_keys=['img_path']))
    views = [np.zeros((8, 8, 3), np.uint8), np.ones((8, 8, 3), np.uint8)]
    out = pack(dict(img=views, rot_label=np.array([0, 1, 2, 3]),
                    img_path='x.png'))
    assert [v.shape for v in out['inputs']] == [(3, 8, 8)] * 2
    sample = out['data_samples']
    assert sample.img_path == 'x.png'
    assert torch.equal(sample.pseudo_label.rot_label,
                       torch.tensor([0, 1, 2, 3]))
    with pytest.raises(KeyError, match='rot_label'):
        pack(dict(img=views))


def test_empty_folder_is_explained(tmp_path):
    ds = DATASETS.build(dict(type='CustomDataset', data_root=str(tmp_path),
                             with_label=False, lazy_init=True))
    with pytest.raises(RuntimeError, match='Found 0 files'):
        ds.full_init()


def test_unreadable_image_is_explained(tmp_path):
    bad = tmp_path / 'a' / 'broken.png'
    bad.parent.mkdir()
    bad.write_bytes(b'this is not a png')
    ds = DATASETS.build(dict(type='CustomDataset', data_root=str(tmp_path),
                             with_label=False, max_refetch=1,
                             pipeline=[dict(type='LoadImageFromFile'),
                                       dict(type='PackInputs')]))
    with pytest.raises(Exception, match='failed to load image'):
        ds[0]


def test_unknown_type_names_the_registry():
    with pytest.raises(KeyError, match='NoSuchModel is not in the'):
        MODELS.build(dict(type='NoSuchModel'))
