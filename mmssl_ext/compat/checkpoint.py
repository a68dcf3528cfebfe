"""Safe checkpoint loading on torch >= 2.6 (``weights_only=True``).

torch 2.6 made ``torch.load`` default to ``weights_only=True``: only tensors,
containers and explicitly allowlisted globals may be unpickled, so loading an
untrusted file can no longer execute code. mmengine 0.10.7 calls ``torch.load``
without ``weights_only`` and stores a ``MessageHub`` state in every checkpoint
whose :class:`~mmengine.logging.HistoryBuffer` objects pickle through
``getattr`` of bound methods, which no allowlist can admit. Resume, ``load_from``
and ``init_cfg=dict(type='Pretrained')`` therefore all fail on mmengine's own
checkpoints.

What we do, without turning ``weights_only`` off anywhere:

1. Register a :mod:`copyreg` reducer for ``HistoryBuffer`` so that newly saved
   checkpoints describe a buffer as ``rebuild_history_buffer(log, count,
   max_length)`` with plain numpy arrays.
2. Allowlist exactly what those checkpoints contain beyond tensors: the rebuild
   function and the numpy reconstruction helpers / dtype classes.

Checkpoints written before ``mmssl_ext`` was imported still hold the old
pickle form. Loading them needs a deliberate decision that the file is trusted:
``tools/model_converters/convert_legacy_checkpoint.py --trust-checkpoint``
rewrites such a file once in the safe form.
"""
import copyreg
from typing import List

import numpy as np
import torch
from mmengine.logging import HistoryBuffer

__all__ = ['rebuild_history_buffer', 'register_safe_checkpoint_types',
           'safe_checkpoint_globals']


def rebuild_history_buffer(log_history: np.ndarray,
                           count_history: np.ndarray,
                           max_length: int) -> HistoryBuffer:
    """Recreate a :class:`HistoryBuffer` from its arrays (unpickling hook)."""
    buffer = HistoryBuffer(max_length=int(max_length))
    buffer._log_history = np.asarray(log_history)
    buffer._count_history = np.asarray(count_history)
    return buffer


def _reduce_history_buffer(buffer: HistoryBuffer):
    return (rebuild_history_buffer,
            (buffer._log_history, buffer._count_history, buffer.max_length))


def _numpy_dtype_classes() -> List[type]:
    """Concrete dtype classes (``numpy.dtypes.Float64DType`` etc.)."""
    classes = []
    for name in dir(np.dtypes):
        obj = getattr(np.dtypes, name)
        if isinstance(obj, type) and issubclass(obj, np.dtype):
            classes.append(obj)
    return classes


def _numpy_reconstruct_functions() -> list:
    """numpy's pickle helpers under the module path numpy itself uses.

    numpy 1.x pickles arrays as ``numpy.core.multiarray._reconstruct``,
    numpy 2.x as ``numpy._core.multiarray._reconstruct``; the allowlist
    matches by the ``__module__``/``__name__`` of the object, so we register
    the objects numpy resolves for both spellings.
    """
    funcs = []
    for module_name in ('numpy.core.multiarray', 'numpy._core.multiarray'):
        try:
            module = __import__(module_name, fromlist=['_reconstruct'])
        except ImportError:
            continue
        for attr in ('_reconstruct', 'scalar'):
            funcs.append((getattr(module, attr), f'{module_name}.{attr}'))
    return funcs


def safe_checkpoint_globals() -> list:
    """The globals (beyond torch's own) that an mmengine checkpoint needs."""
    entries = [rebuild_history_buffer, np.ndarray, np.dtype]
    entries += _numpy_dtype_classes()
    entries += _numpy_reconstruct_functions()
    return entries


_REGISTERED = False


def register_safe_checkpoint_types() -> None:
    """Install the HistoryBuffer reducer and the allowlist (idempotent)."""
    global _REGISTERED
    if _REGISTERED:
        return
    copyreg.pickle(HistoryBuffer, _reduce_history_buffer)
    torch.serialization.add_safe_globals(safe_checkpoint_globals())
    _REGISTERED = True
