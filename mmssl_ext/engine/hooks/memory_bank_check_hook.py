"""Stop before training when a per-sample memory bank does not fit the data,
rebuild a memory bank that the loaded checkpoint did not have, and stop when
training feeds the bank NaN/Inf features."""
import copy
from typing import Optional

from mmengine.dataset import DefaultSampler
from mmengine.hooks import Hook
from mmpretrain.registry import HOOKS
from mmpretrain.utils import get_ori_model
from torch.utils.data import DataLoader

from mmssl_ext.evaluation.feature_extractor import extract_features
from mmssl_ext.models.memories.base_memory import BaseMemory
from mmssl_ext.models.utils.mmselfsup_checkpoint import check_resumable
from mmssl_ext.utils.legacy_config import warn_legacy_runtime_keys


@HOOKS.register_module()
class MemoryBankCheckHook(Hook):
    """Check ``model.memory_bank.length`` against the training set.

    NPID's :class:`SimpleMemory` holds one row per training image, indexed by
    the dataset's ``sample_idx``. The model is built before the dataset, so
    the bank length comes from the config (``num_train_samples``); this hook
    compares the two in ``before_train``, i.e. before the first iteration
    and on every rank, and raises a ``ValueError`` naming the fix when they
    differ:

    - a smaller bank would fail at the first out-of-range index (or, worse,
      only late in the epoch);
    - a larger bank leaves rows that are never updated but are still drawn
      as negatives (random vectors), silently weakening the loss.

    During training it calls the memory's ``check_finite()`` every
    ``check_finite_interval`` iterations and after every epoch: a step whose
    features are NaN/Inf writes nothing into the bank (no device sync per
    step) and is reported there with a ``FloatingPointError``.

    It also rebuilds a bank that the loaded checkpoint did not hold
    (MMSelfSup 0.x keeps NPID's bank out of its state dict; a checkpoint of
    another dataset has another length): when the memory's ``initialized``
    flag is False, the training set is run through the model once (in eval
    mode, ``model.extract_memory_feat``) and the bank is filled with the
    L2-normalised features, which is logged. A fresh model keeps its random
    start bank, as MMSelfSup's NPID; resume restores the saved bank.

    The NPID configs add it through ``custom_hooks``.

    Args:
        attr (str): Name of the memory attribute on the model. Defaults to
            ``'memory_bank'``.
        extract_dataloader (dict, optional): dataloader config for the
            rebuild (same samples in the same order as the training set; its
            sampler is replaced by a sequential, rank-sharded one). Defaults
            to None: the training dataset and pipeline, unshuffled.
        check_finite_interval (int): iterations between the checks for
            non-finite features. Defaults to 50.
    """

    priority = 'VERY_HIGH'

    def __init__(self, attr: str = 'memory_bank',
                 extract_dataloader: Optional[dict] = None,
                 check_finite_interval: int = 50) -> None:
        if check_finite_interval < 1:
            raise ValueError(f'check_finite_interval must be >= 1, got '
                             f'{check_finite_interval}.')
        self.attr = attr
        self.extract_dataloader = copy.deepcopy(extract_dataloader)
        self.check_finite_interval = check_finite_interval

    def before_run(self, runner) -> None:
        warn_legacy_runtime_keys(runner)  # 0.x keys mmengine ignores

    def _memory(self, runner):
        model = get_ori_model(runner.model)
        memory = getattr(model, self.attr, None)
        if not isinstance(memory, BaseMemory):
            raise TypeError(
                f'MemoryBankCheckHook: {type(model).__name__} has no '
                f'per-sample memory `{self.attr}` (SimpleMemory, ODCMemory); '
                f'remove the hook from custom_hooks or set its `attr`.')
        return model, memory

    def before_train(self, runner) -> None:
        model, memory = self._memory(runner)
        memory.check_fits_dataset(len(runner.train_dataloader.dataset),
                                  f'model.{self.attr}')
        if not bool(getattr(memory, 'initialized', True)):
            self.rebuild(runner, model, memory)

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs=None) -> None:
        if self.every_n_train_iters(runner, self.check_finite_interval):
            self._memory(runner)[1].check_finite()

    def after_train_epoch(self, runner) -> None:
        self._memory(runner)[1].check_finite()

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        check_resumable(runner, checkpoint)

    def _loader(self, runner):
        if self.extract_dataloader is not None:
            cfg = copy.deepcopy(self.extract_dataloader)
            cfg['sampler'] = dict(type='DefaultSampler', shuffle=False,
                                  round_up=True)
            cfg.setdefault('collate_fn', dict(type='default_collate'))
            return runner.build_dataloader(cfg)
        train = runner.train_dataloader
        return DataLoader(
            train.dataset, batch_size=train.batch_size,
            sampler=DefaultSampler(train.dataset, shuffle=False,
                                   round_up=True),
            num_workers=train.num_workers, collate_fn=train.collate_fn)

    def rebuild(self, runner, model, memory) -> None:
        """Fill ``memory`` with features of the whole training set."""
        if not hasattr(model, 'extract_memory_feat') or \
                not hasattr(memory, 'init_memory'):
            raise TypeError(
                f'model.{self.attr} is not initialised and '
                f'{type(model).__name__} cannot rebuild it (no '
                f'extract_memory_feat / init_memory): load a checkpoint that '
                f'holds the bank.')
        runner.logger.warning(
            f'MemoryBankCheckHook: model.{self.attr} is not initialised (the '
            f'loaded checkpoint has no fitting bank): rebuilding it from the '
            f'features of all {memory.length} training samples.')
        loader = self._loader(runner)
        if len(loader.dataset) != memory.length:
            raise ValueError(
                f'extract_dataloader has {len(loader.dataset)} samples but '
                f'model.{self.attr} has length={memory.length}: it must list '
                f'the training samples in the same order.')
        features = extract_features(
            model, loader, feat_fn=model.extract_memory_feat,
            everywhere=True).numpy()
        memory.init_memory(features)
        runner.logger.info(f'MemoryBankCheckHook: model.{self.attr} rebuilt '
                           f'({tuple(memory.feature_bank.shape)}).')
