"""Feature memory bank with a momentum update (NPID)."""
import logging
from typing import Optional

import torch
import torch.nn.functional as F
from mmengine.logging import print_log
from mmpretrain.registry import MODELS

from mmssl_ext.models.utils.mmselfsup_checkpoint import fill_missing_memory
from .alias_sampler import AliasSampler
from .base_memory import BaseMemory


_WARNED = set()


def warn_momentum_meaning(momentum: float) -> None:
    """Warn once per value that ``momentum`` weights the new feature."""
    if momentum in _WARNED:
        return
    _WARNED.add(momentum)
    print_log(
        f'SimpleMemory(momentum={momentum}): momentum is the weight of the '
        f'NEW feature, as in MMSelfSup (bank row <- normalize((1 - '
        f'momentum) * row + momentum * feature)). mmssl_ext 0.1.0 '
        f'weighted the OLD row with it: a config written for that meaning '
        f'must set momentum={1 - momentum:g}. See CHANGELOG.md.',
        logger='current', level=logging.WARNING)


@MODELS.register_module()
class SimpleMemory(BaseMemory):
    """One L2-normalised feature row per training sample, momentum-updated.

    The bank of `NPID <https://arxiv.org/abs/1805.01978>`_: row ``i`` holds
    the running feature of dataset sample ``i``. After each step the rows of
    the batch become

    .. math:: v_i \\leftarrow \\frac{(1 - m) v_i + m f_i}
                                   {\\lVert (1 - m) v_i + m f_i \\rVert}

    where :math:`f_i` is the L2-normalised new feature and :math:`m` is
    ``momentum``: the weight of the *new* feature, as in MMSelfSup's
    ``SimpleMemory`` and in :class:`ODCMemory`, so ported configs keep their
    meaning. (The NPID paper's code calls the weight of the *old* row its
    momentum; both agree at the default 0.5. mmssl_ext 0.1.0 used the
    paper's convention: a config with ``momentum != 0.5`` written for it
    needs ``1 - momentum`` now, and a warning says so.)

    In DDP every rank holds the same bank: it is initialised from a fixed
    ``init_seed`` (not the per-rank training seed) and every update
    all-gathers indices and features first (batches may differ in size per
    rank), so all ranks apply the same update. A step whose features hold
    NaN/Inf writes nothing; :meth:`check_finite` (called by
    ``MemoryBankCheckHook``) then raises. The bank is a persistent buffer,
    so checkpoints carry it.
    ``initialized`` (a non-persistent bool buffer) is True for the random
    start bank and for a loaded bank; loading a checkpoint without a fitting
    bank (MMSelfSup 0.x keeps it out of the state dict) sets it False, and
    ``MemoryBankCheckHook`` then refills the bank with :meth:`init_memory`
    before training.

    Args:
        length (int): Number of rows: must equal the number of training
            samples (``len(train_dataloader.dataset)``).
        feat_dim (int): Feature dimension. Defaults to 128.
        momentum (float): Weight of the new feature in ``(0, 1]``
            (MMSelfSup's meaning). Defaults to 0.5.
        init_seed (int): Seed of the random unit-vector initialisation, the
            same on every rank. Defaults to 0.
        init_cfg (dict, optional): Unused; kept for the BaseModule API.
    """

    def __init__(self,
                 length: int,
                 feat_dim: int = 128,
                 momentum: float = 0.5,
                 init_seed: int = 0,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if not isinstance(length, int) or length < 1:
            raise ValueError(
                f'SimpleMemory.length must be a positive int (the number of '
                f'training samples), got {length!r}: set '
                f'memory_bank.length=len(train dataset).')
        if not 0.0 < momentum <= 1.0:
            raise ValueError(f'SimpleMemory.momentum is the weight of the new '
                             f'feature (as in MMSelfSup) and must be in '
                             f'(0, 1], got {momentum}.')
        if momentum != 0.5:
            warn_momentum_meaning(momentum)
        self.length = length
        self.feat_dim = feat_dim
        self.momentum = momentum
        generator = torch.Generator().manual_seed(init_seed)
        bank = torch.randn(length, feat_dim, generator=generator)
        bank.div_(bank.norm(dim=1, keepdim=True))  # in place: 656 MB at IN-1k
        self.register_buffer('feature_bank', bank)
        self.register_buffer('initialized', torch.tensor(True),
                             persistent=False)
        self.sampler = AliasSampler(torch.ones(length))

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs):
        missing = fill_missing_memory(self, state_dict, prefix,
                                      ('feature_bank', ))
        self.initialized.fill_(not missing)
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)

    @torch.no_grad()
    def init_memory(self, features: torch.Tensor) -> None:
        """Fill the bank with ``(length, feat_dim)`` features (normalised
        here) of every training sample, identical on all ranks."""
        features = torch.as_tensor(features, dtype=torch.float32)
        if features.shape != self.feature_bank.shape:
            raise ValueError(
                f'SimpleMemory.init_memory got features of shape '
                f'{tuple(features.shape)}, expected '
                f'{tuple(self.feature_bank.shape)}: set memory_bank.length to '
                f'the training set size and feat_dim to the neck output.')
        self._check_finite_init(features)
        self.feature_bank.copy_(F.normalize(features, dim=1).to(
            self.feature_bank))
        self.initialized.fill_(True)

    def draw_negatives(self,
                       num: int,
                       generator: Optional[torch.Generator] = None
                       ) -> torch.Tensor:
        """``num`` bank indices drawn uniformly (alias method), ``(num,)``.
        """
        if self.sampler.alias.device != self.feature_bank.device:
            self.sampler.to(self.feature_bank.device)
        return self.sampler.draw(num, generator=generator)

    @torch.no_grad()
    def update(self, idx: torch.Tensor, feature: torch.Tensor) -> None:
        """Momentum-update the rows ``idx`` with ``feature``.

        Call on every rank with the rank's own batch (sizes may differ).
        A sample that occurs several times in the global batch is updated
        once, with its last occurrence (rank order, then batch order).

        Args:
            idx (torch.Tensor): Sample indices of this rank's batch, ``(B,)``.
            feature (torch.Tensor): Their features, ``(B, feat_dim)`` (they
                are L2-normalised here).
        """
        self.check_indices(idx)
        idx = idx.to(self.feature_bank.device).long().view(-1)
        feature = F.normalize(feature.detach().float(), dim=1)
        feature = feature.to(self.feature_bank.dtype)
        idx, feature, finite = self.global_batch(idx, feature)
        old = self.feature_bank[idx]
        new = F.normalize((1.0 - self.momentum) * old +
                          self.momentum * feature, dim=1)
        self.feature_bank[idx] = torch.where(finite, new, old)
