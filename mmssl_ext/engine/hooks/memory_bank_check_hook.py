"""Stop before training when a per-sample memory bank does not fit the data,
and rebuild a memory bank that the loaded checkpoint did not have."""
import copy
from typing import Optional

from mmengine.dataset import DefaultSampler
from mmengine.hooks import Hook
from mmpretrain.utils import get_ori_model
from mmpretrain.registry import HOOKS
from torch.utils.data import DataLoader

from mmssl_ext.models.utils.mmselfsup_checkpoint import check_resumable


def check_bank_fits_dataset(runner, memory, name: str) -> None:
    """Raise ``ValueError`` unless ``memory.length`` (one row per training
    image) equals the size of ``runner``'s training set.

    Args:
        runner: the mmengine runner (its train dataloader is built).
        memory: a memory with a ``length`` attribute.
        name (str): the memory's config key in the message, e.g.
            ``'model.memory_bank'``.
    """
    n = len(runner.train_dataloader.dataset)
    if n != memory.length:
        raise ValueError(
            f'The training set has {n} samples but {name} has '
            f'length={memory.length} (one row per training image is '
            f'needed): set {name}.length (num_train_samples in the '
            f'configs) to {n}.')


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
    """

    priority = 'VERY_HIGH'

    def __init__(self, attr: str = 'memory_bank',
                 extract_dataloader: Optional[dict] = None) -> None:
        self.attr = attr
        self.extract_dataloader = copy.deepcopy(extract_dataloader)

    def before_train(self, runner) -> None:
        model = get_ori_model(runner.model)
        memory = getattr(model, self.attr, None)
        if memory is None or not hasattr(memory, 'length'):
            raise TypeError(
                f'MemoryBankCheckHook: {type(model).__name__} has no '
                f'`{self.attr}` with a `length`; remove the hook from '
                f'custom_hooks or set its `attr`.')
        check_bank_fits_dataset(runner, memory, f'model.{self.attr}')
        if not bool(getattr(memory, 'initialized', True)):
            self.rebuild(runner, model, memory)

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
        from mmssl_ext.engine.hooks.deepcluster_hook import \
            extract_dataset_features
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
        features = extract_dataset_features(
            model, loader, model.extract_memory_feat, everywhere=True)
        memory.init_memory(features)
        runner.logger.info(f'MemoryBankCheckHook: model.{self.attr} rebuilt '
                           f'({tuple(memory.feature_bank.shape)}).')
