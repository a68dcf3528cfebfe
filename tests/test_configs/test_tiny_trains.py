"""The CPU-sized siblings of the custom-dataset configs train 2 iterations
through mmengine's Runner (the code path of `mim train mmpretrain`)."""
import json
import os
import os.path as osp

import pytest
import torch
from mmengine.runner import Runner

import mmssl_ext  # noqa: F401
from tests.helpers import tiny_cfg

TINY = {
    'configs/mae/mae_vit-base-p16_8xb512-amp-coslr-300e_custom-dataset_tiny-cpu.py':
    'folder',
    'configs/mae/mae_vit-base-p16_8xb512-amp-coslr-300e_coco-image-list_tiny-cpu.py':
    'coco',
    'configs/simclr/simclr_resnet50_16xb256-coslr-200e_custom-dataset_tiny-cpu.py':
    'folder',
}


def _coco_json(root: str) -> str:
    images = []
    for dirpath, _, files in os.walk(osp.join(root, 'train')):
        for f in sorted(files):
            rel = osp.relpath(osp.join(dirpath, f), osp.join(root, 'train'))
            images.append({'id': len(images) + 1, 'file_name': rel})
    os.makedirs(osp.join(root, 'annotations'), exist_ok=True)
    path = osp.join(root, 'annotations', 'instances_train2017.json')
    with open(path, 'w') as f:
        json.dump({'images': images, 'annotations': []}, f)
    return path


@pytest.mark.parametrize('path', sorted(TINY))
def test_tiny_sibling_trains_two_iters(path, fmnist_tiny, tmp_path):
    # the siblings' own batch size (8), 2 iterations
    data_root = (fmnist_tiny if TINY[path] == 'coco' else
                 osp.join(fmnist_tiny, 'train'))
    cfg = tiny_cfg(path, data_root, str(tmp_path), max_iters=2, batch_size=8)
    if TINY[path] == 'coco':
        _coco_json(fmnist_tiny)
        cfg.train_dataloader.dataset.data_prefix = dict(img_path='train/')
    runner = Runner.from_cfg(cfg)
    before = {k: v.clone() for k, v in runner.model.state_dict().items()}
    runner.train()
    assert runner.iter == 2
    after = runner.model.state_dict()
    changed = [k for k in before if not torch.equal(before[k], after[k])]
    assert changed, 'training did not update any parameter'
    assert osp.isfile(osp.join(str(tmp_path), 'iter_2.pth'))
