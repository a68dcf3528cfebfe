"""``PackSelfSupInputs``: MMSelfSup 1.x's packing transform, on mmpretrain.

MMSelfSup 1.x configs end their pipelines with
``dict(type='PackSelfSupInputs', meta_keys=['img_path'])``. mmpretrain merged
it into :class:`mmpretrain.datasets.PackInputs`; this alias keeps the seeds'
configs running unchanged and adds MMSelfSup's ``pseudo_label_keys``.
"""
from typing import Sequence

import torch
from mmengine.structures import BaseDataElement

from mmpretrain.datasets.transforms import PackInputs
from mmpretrain.registry import TRANSFORMS


@TRANSFORMS.register_module()
class PackSelfSupInputs(PackInputs):
    """Pack one or several views plus self-supervision targets.

    Args:
        key (str): the key holding the image (or list of views).
            Defaults to 'img'.
        algorithm_keys (Sequence[str]): extra keys stored as fields of the
            data sample (e.g. ``'mask'``). Defaults to ().
        pseudo_label_keys (Sequence[str]): keys stored under
            ``data_sample.pseudo_label`` as tensors (MMSelfSup's layout, e.g.
            rotation or patch labels). Defaults to ().
        meta_keys (Sequence[str]): meta information keys. Defaults to ().
    """

    def __init__(self,
                 key: str = 'img',
                 algorithm_keys: Sequence[str] = (),
                 pseudo_label_keys: Sequence[str] = (),
                 meta_keys: Sequence[str] = ()) -> None:
        super().__init__(input_key=key, algorithm_keys=tuple(algorithm_keys),
                         meta_keys=tuple(meta_keys))
        self.pseudo_label_keys = tuple(pseudo_label_keys)

    def transform(self, results: dict) -> dict:
        missing = [k for k in (self.input_key, *self.pseudo_label_keys)
                   if k not in results]
        if missing:
            raise KeyError(f'PackSelfSupInputs: {missing} not produced by the '
                           f'pipeline (available: {sorted(results)}). Fix '
                           f'`key`/`pseudo_label_keys` or the transforms '
                           f'before it.')
        packed = super().transform(results)
        if self.pseudo_label_keys:
            pseudo_label = BaseDataElement()
            for k in self.pseudo_label_keys:
                pseudo_label.set_field(torch.as_tensor(results[k]), k)
            packed['data_samples'].set_field(pseudo_label, 'pseudo_label')
        return packed

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(key={self.input_key!r}, '
                f'algorithm_keys={self.algorithm_keys}, '
                f'pseudo_label_keys={self.pseudo_label_keys}, '
                f'meta_keys={self.meta_keys})')
