"""What the per-sample memories (:class:`SimpleMemory`, :class:`ODCMemory`)
share: reading and checking a batch's dataset indices, the global batch of a
distributed step, and the guard against non-finite features."""
from typing import List, Sequence, Tuple

import torch
from mmengine.model import BaseModule
from mmpretrain.structures import DataSample

from mmssl_ext.utils.dist import all_gather_unique_rows
from mmssl_ext.utils.finite import check_finite_rows


class SampleIndexError(IndexError, ValueError):
    """A dataset index outside the memory (the bank is smaller than the
    training set). Both an ``IndexError`` and a ``ValueError``."""


class BaseMemory(BaseModule):
    """Base of the memories that hold one row per training sample.

    Subclasses set ``self.length`` (number of rows) and call
    ``super().__init__``. Validation is split by cost:

    - once, before training: :meth:`check_fits_dataset` (the hooks call it in
      ``before_train``) guarantees every ``sample_idx`` fits the bank;
    - per step, host-side only: :meth:`sample_indices` and
      :meth:`check_indices` look at indices that are still on the CPU; they
      never synchronise with an accelerator;
    - non-finite features: :meth:`global_batch` returns a device-side flag;
      the update writes nothing when it is False and counts the step in the
      (non-persistent) buffer ``nonfinite_steps``; :meth:`check_finite`,
      called by the hooks every logging interval, raises.
    """

    _mmssl_internal = True  # an abstract base, not a registered memory
    length: int

    def __init__(self, init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.register_buffer('nonfinite_steps', torch.zeros((),
                                                            dtype=torch.long),
                             persistent=False)

    # ------------------------------------------------------------ indices
    def check_fits_dataset(self, num_samples: int,
                           name: str = 'model.memory_bank') -> None:
        """Raise ``ValueError`` unless the memory has one row per training
        sample.

        Args:
            num_samples (int): size of the training set.
            name (str): the memory's config key in the message.
        """
        if num_samples != self.length:
            raise ValueError(
                f'The training set has {num_samples} samples but {name} has '
                f'length={self.length} (one row per training image is '
                f'needed): set {name}.length (num_train_samples in the '
                f'configs) to {num_samples}.')

    def _index_error(self, index: int) -> SampleIndexError:
        return SampleIndexError(
            f'sample index {index} is outside the memory bank of '
            f'{self.length} rows: the bank is smaller than the training set. '
            f'Set model.memory_bank.length (num_train_samples in the '
            f'configs) to len(train dataset).')

    def sample_indices(self, data_samples: List[DataSample]) -> torch.Tensor:
        """``(B,)`` int64 CPU tensor of the batch's dataset indices
        (``sample_idx`` metainfo), checked against the memory length on the
        host."""
        try:
            idx: Sequence[int] = [int(ds.sample_idx) for ds in data_samples]
        except AttributeError:
            raise KeyError(
                'The memory needs the dataset index of every sample, but the '
                'data samples have no `sample_idx`: keep \'sample_idx\' in '
                'PackInputs(meta_keys=...) (it is in the default meta_keys) '
                'and use a dataset derived from mmengine BaseDataset.'
            ) from None
        for i in idx:
            if not 0 <= i < self.length:
                raise self._index_error(i)
        return torch.tensor(idx, dtype=torch.long)

    def check_indices(self, idx: torch.Tensor) -> None:
        """Raise :class:`SampleIndexError` for indices outside the memory.

        Only indices on the CPU are checked (no device synchronisation);
        indices on an accelerator are trusted: :meth:`check_fits_dataset`
        validated the dataset before training.
        """
        if idx.device.type != 'cpu' or not idx.numel():
            return
        low, high = int(idx.min()), int(idx.max())
        if low < 0 or high >= self.length:
            raise self._index_error(high if high >= self.length else low)

    # ------------------------------------------------------------ updates
    def global_batch(self, idx: torch.Tensor, feature: torch.Tensor
                     ) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """The step's global batch, each sample once, and whether all of it
        is finite.

        Gathers ``(idx, feature)`` from every rank (batches may differ in
        size), keeps the last occurrence of a repeated index (rank order,
        then batch order; a padded sampler repeats samples) and counts a
        non-finite batch in ``nonfinite_steps``. The result is identical on
        every rank; nothing here synchronises with the device.

        Args:
            idx (Tensor): ``(B_r,)`` this rank's dataset indices (on the
                memory's device).
            feature (Tensor): ``(B_r, D)`` their features.

        Returns:
            tuple[Tensor, Tensor, Tensor]: ``(U,)`` indices, ``(U, D)``
            features and a 0-dim bool tensor, True when every gathered
            feature is finite (the caller must then write nothing).
        """
        idx, feature = all_gather_unique_rows(idx, feature)
        finite = torch.isfinite(feature).all()
        self.nonfinite_steps.add_((~finite).long())
        return idx, feature, finite

    def check_finite(self) -> None:
        """Raise ``FloatingPointError`` if a step brought NaN/Inf features
        (one device synchronisation; the hooks call it every logging
        interval). The memory itself holds none of them."""
        steps = int(self.nonfinite_steps)
        if steps:
            raise FloatingPointError(
                f'{type(self).__name__}: {steps} training step(s) produced '
                f'NaN/Inf features, which were not written to the memory. '
                f'Training has most likely diverged: lower the learning rate '
                f'(or add gradient clipping, optim_wrapper.clip_grad) and '
                f'resume from an earlier checkpoint.')

    def _check_finite_init(self, features: torch.Tensor) -> None:
        """Refuse to initialise the memory from non-finite features."""
        check_finite_rows(
            features, f'{type(self).__name__}.init_memory', 'samples',
            'Nothing was written. The model that extracted them has most '
            'likely diverged: lower the learning rate, or start from an '
            'earlier checkpoint.', error=FloatingPointError)
