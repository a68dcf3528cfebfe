"""Stop before training when a per-sample memory bank does not fit the data."""
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmpretrain.registry import HOOKS


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

    The NPID configs add it through ``custom_hooks``.

    Args:
        attr (str): Name of the memory attribute on the model. Defaults to
            ``'memory_bank'``.
    """

    priority = 'VERY_HIGH'

    def __init__(self, attr: str = 'memory_bank') -> None:
        self.attr = attr

    def before_train(self, runner) -> None:
        model = runner.model
        model = model.module if is_model_wrapper(model) else model
        memory = getattr(model, self.attr, None)
        if memory is None or not hasattr(memory, 'length'):
            raise TypeError(
                f'MemoryBankCheckHook: {type(model).__name__} has no '
                f'`{self.attr}` with a `length`; remove the hook from '
                f'custom_hooks or set its `attr`.')
        check_bank_fits_dataset(runner, memory, f'model.{self.attr}')
