"""Dataset wrapper that attaches cluster pseudo-labels to any dataset."""
import copy
from typing import Any, Optional, Sequence, Union

import numpy as np
from torch.utils.data import Dataset

from mmpretrain.registry import DATASETS


@DATASETS.register_module()
class PseudoLabelDataset(Dataset):
    """Wrap an mmengine ``BaseDataset`` and serve cluster pseudo-labels.

    Works around any mmpretrain dataset (``CustomDataset`` with or without
    labels, ``ImageNet``, a folder of COCO images read by ``CustomDataset``):
    each item is the wrapped dataset's data info, with ``gt_label`` replaced
    by the pseudo-label assigned by :meth:`assign_labels` (usually called by
    ``DeepClusterHook``) and ``sample_idx`` set to the index, passed through
    the wrapped dataset's pipeline (so ``PackInputs`` stores the pseudo-label
    as ``data_sample.gt_label``).

    Args:
        dataset (dict | BaseDataset): the dataset (config) to wrap; it must
            provide ``get_data_info(idx)`` and ``pipeline``.
        lazy_init (bool): defer ``full_init`` of the wrapped dataset.
            Defaults to False.
    """

    def __init__(self,
                 dataset: Union[dict, Any],
                 lazy_init: bool = False) -> None:
        if isinstance(dataset, dict):
            dataset = DATASETS.build(dataset)
        if not (hasattr(dataset, 'get_data_info')
                and hasattr(dataset, 'pipeline')):
            raise TypeError(
                f'PseudoLabelDataset wraps mmengine BaseDataset-style '
                f'datasets (with get_data_info() and pipeline); got '
                f'{type(dataset).__name__}. Wrap e.g. a CustomDataset.')
        self.dataset = dataset
        self._labels: Optional[np.ndarray] = None
        self._fully_initialized = False
        if not lazy_init:
            self.full_init()

    @property
    def metainfo(self) -> dict:
        return copy.deepcopy(self.dataset.metainfo)

    def full_init(self) -> None:
        if self._fully_initialized:
            return
        if hasattr(self.dataset, 'full_init'):
            self.dataset.full_init()
        self._fully_initialized = True

    def __len__(self) -> int:
        return len(self.dataset)

    @property
    def pseudo_labels(self) -> Optional[np.ndarray]:
        """``(N,)`` int64 labels, or None before the first assignment."""
        return self._labels

    def assign_labels(self, labels: Sequence[int]) -> None:
        """Set the pseudo-label of every sample.

        Args:
            labels (Sequence[int]): ``(len(self),)`` non-negative integers.
        """
        labels = np.asarray(labels, dtype=np.int64).reshape(-1)
        if labels.shape[0] != len(self):
            raise ValueError(
                f'{labels.shape[0]} pseudo-labels for a dataset of '
                f'{len(self)} samples: the feature-extraction dataset of '
                f'DeepClusterHook must be the same dataset as the training '
                f'set.')
        if labels.size and labels.min() < 0:
            raise ValueError('pseudo-labels must be non-negative.')
        self._labels = labels

    def get_data_info(self, idx: int) -> dict:
        """Wrapped data info with ``gt_label`` = pseudo-label."""
        if self._labels is None:
            raise RuntimeError(
                'PseudoLabelDataset has no pseudo-labels yet: add '
                "dict(type='DeepClusterHook', ...) to `custom_hooks` (it "
                'assigns labels before training) or call assign_labels().')
        info = copy.deepcopy(self.dataset.get_data_info(idx))
        info['gt_label'] = int(self._labels[idx])
        info['sample_idx'] = int(idx) if idx >= 0 else len(self) + int(idx)
        return info

    def __getitem__(self, idx: int) -> Any:
        data = self.dataset.pipeline(self.get_data_info(idx))
        if data is None:
            raise RuntimeError(
                f'the pipeline returned None for sample {idx}; '
                f'PseudoLabelDataset does not skip samples (a sample cannot '
                f'be replaced without breaking cluster balance). Check the '
                f'image and pipeline.')
        return data

    def __repr__(self) -> str:
        return (f'PseudoLabelDataset(num_samples={len(self)}, labelled='
                f'{self._labels is not None}, dataset='
                f'{type(self.dataset).__name__})')
