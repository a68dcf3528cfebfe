"""Images of a COCO annotation file, without mmdet.

MMSelfSup's "MAE on COCO" recipe reads COCO with ``mmdet.CocoDataset``, which
needs mmdet and mmcv's compiled ops (``import mmdet.datasets`` reaches
``mmcv.ops``). Self-supervised pretraining only needs the image list, so this
dataset reads ``images[*].file_name`` from the annotation JSON and nothing
else. Works on mmcv-lite.
"""
import json
import os.path as osp
from typing import List, Optional, Union

from mmengine.fileio import get_local_path

from mmpretrain.datasets import BaseDataset
from mmpretrain.registry import DATASETS


@DATASETS.register_module()
class COCOImageList(BaseDataset):
    """Unlabeled images listed by a COCO-format annotation file.

    Args:
        ann_file (str): COCO JSON, e.g. ``annotations/instances_train2017.json``
            (relative to ``data_root``).
        data_root (str): dataset root. Defaults to ''.
        data_prefix (str | dict): image folder, e.g. ``'train2017/'`` or
            ``dict(img_path='train2017/')`` (``dict(img=...)``, mmdet's
            spelling, is accepted too). Defaults to ''.
        only_annotated (bool): keep only images with at least one annotation
            (mmdet's ``filter_empty_gt``). Defaults to False.
        **kwargs: other :class:`mmpretrain.datasets.BaseDataset` arguments
            (``pipeline``, ``indices``, ``test_mode``, ...).
    """

    def __init__(self,
                 ann_file: str,
                 data_root: str = '',
                 data_prefix: Union[str, dict] = '',
                 only_annotated: bool = False,
                 **kwargs) -> None:
        if isinstance(data_prefix, dict) and 'img' in data_prefix:
            data_prefix = dict(img_path=data_prefix['img'])
        self.only_annotated = only_annotated
        super().__init__(ann_file=ann_file, data_root=data_root,
                         data_prefix=data_prefix, **kwargs)

    def load_data_list(self) -> List[dict]:
        if not osp.isfile(self.ann_file) and '://' not in self.ann_file:
            raise FileNotFoundError(
                f'COCO annotation file {self.ann_file!r} not found. Set '
                f'data_root/ann_file to e.g. data/coco/ + '
                f'annotations/instances_train2017.json.')
        with get_local_path(self.ann_file) as path, open(path) as f:
            try:
                coco = json.load(f)
            except json.JSONDecodeError as exc:
                raise ValueError(f'{self.ann_file} is not valid JSON: '
                                 f'{exc}') from exc
        images: Optional[list] = coco.get('images') if isinstance(
            coco, dict) else None
        if not isinstance(images, list):
            raise ValueError(f'{self.ann_file} has no "images" list; is it a '
                             f'COCO-format annotation file?')
        if self.only_annotated:
            annotated = {a['image_id'] for a in coco.get('annotations', [])}
            images = [im for im in images if im.get('id') in annotated]
        if not images:
            raise ValueError(f'{self.ann_file} lists no images'
                             f'{" with annotations" if self.only_annotated else ""}.')
        prefix = self.data_prefix.get('img_path', '')
        data_list = []
        for im in images:
            if 'file_name' not in im:
                raise ValueError(f'{self.ann_file}: image entry {im} has no '
                                 f'file_name.')
            data_list.append(dict(img_path=osp.join(prefix, im['file_name'])))
        return data_list
