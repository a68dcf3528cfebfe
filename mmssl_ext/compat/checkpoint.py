"""The one safe checkpoint loader: every checkpoint read goes through it.

torch >= 2.6 loads with ``weights_only=True`` by default, which refuses what
every mmengine 0.10.x checkpoint holds besides tensors: the ``MessageHub``
state with :class:`~mmengine.logging.HistoryBuffer` objects, whose pickle
calls ``builtins.getattr`` to find the buffer's statistics methods, numpy
arrays and scalars, ``collections.Counter`` (MultiStepLR milestones) and
``_codecs.encode`` (bytes under pickle protocol 2). The usual way out,
``weights_only=False``, lets a checkpoint run any code.

:func:`load_checkpoint_file` unpickles with :class:`RestrictedUnpickler`, a
pure-Python unpickler in which every opcode that can call, import or mutate
is checked. It rebuilds exactly:

* tensors and storages (``torch._utils._rebuild_tensor_v2`` and friends, with
  no backward hooks), ``torch.Size``, ``torch.device``, torch dtypes;
* containers: dict/list/tuple/set/frozenset, ``OrderedDict`` (including a
  state dict's ``_metadata``), ``Counter``;
* numpy arrays and scalars of numeric, bool and string dtypes (never object
  or structured dtypes), under both spellings ``numpy.core.multiarray`` (numpy
  1) and ``numpy._core.multiarray`` (numpy 2);
* ``HistoryBuffer``: from numeric 1-D arrays and an integer ``max_length``,
  set directly -- never through ``HistoryBuffer.__setstate__``, which merges
  the pickled statistics methods into a dict shared by every buffer. The
  only ``getattr`` allowed is ``getattr(HistoryBuffer, name)`` for name in
  min/max/current/mean; buffers written by earlier mmssl_ext versions
  (``mmssl_ext.compat.checkpoint.rebuild_history_buffer``) load the same way.

Anything else (an import of another global, a call, an object dtype, a
TorchScript archive, a whole pickled module) is refused before it runs, with
:class:`UnsafeCheckpointError` naming the file, what it holds and the fix.
A truncated or damaged file raises :class:`CorruptCheckpointError`.

:func:`register_safe_checkpoint_loader` (called on ``import mmssl_ext``)
installs the loader for every scheme of mmengine's
:class:`~mmengine.runner.CheckpointLoader` (local files, http(s), torchvision,
open-mmlab, mmcls, s3/petrel, pavi), so resume, ``load_from``,
``init_cfg=dict(type='Pretrained')``, mmdet/mmseg and our tools all use it,
also on stacks whose own loader would fall back to ``weights_only=False``.
Checkpoints are saved in mmengine's stock format: they load where mmssl_ext is
not installed.
"""
import io
import os
import os.path as osp
import pickle
import pickletools
import types
import zipfile
from collections import Counter, OrderedDict
from typing import IO, Any, Callable, Dict, Tuple, Union

import numpy as np
import torch

__all__ = [
    'CorruptCheckpointError', 'RestrictedUnpickler', 'UnsafeCheckpointError',
    'load_checkpoint_file', 'load_trusted_checkpoint',
    'rebuild_history_buffer', 'register_safe_checkpoint_loader',
    'register_safe_checkpoint_types'
]

CONVERT_TOOL = 'tools/model_converters/convert_legacy_checkpoint.py'
#: HistoryBuffer attributes that ``getattr`` may fetch while unpickling.
HISTORY_STATISTICS = ('min', 'max', 'current', 'mean')
#: numpy dtype kinds an array or scalar may have: bool, ints, floats,
#: complex, bytes and str -- no object ('O') or structured ('V') dtypes.
ARRAY_KINDS = 'biufcSU'


class UnsafeCheckpointError(pickle.UnpicklingError):
    """The file holds something that only arbitrary code could rebuild."""


class CorruptCheckpointError(RuntimeError):
    """The file is truncated, damaged or not written by ``torch.save``."""


# --------------------------------------------------------------------------
# HistoryBuffer
# --------------------------------------------------------------------------
def _history_buffer_cls():
    from mmengine.logging import HistoryBuffer
    return HistoryBuffer


def _history_array(value, what: str) -> np.ndarray:
    if (type(value) is not np.ndarray or value.ndim != 1
            or value.dtype.kind not in 'biuf'):
        raise UnsafeCheckpointError(
            f'HistoryBuffer.{what} must be a numeric 1-D numpy array, got '
            f'{type(value).__name__} '
            f'{getattr(value, "dtype", "")} {getattr(value, "shape", "")}')
    return value


def _fill_history_buffer(buffer, log_history, count_history, max_length):
    """Set a buffer's fields after validating them (no ``__setstate__``)."""
    if type(max_length) is not int or max_length < 1:
        raise UnsafeCheckpointError(
            f'HistoryBuffer.max_length must be a positive int, got '
            f'{max_length!r}')
    log_history = _history_array(log_history, '_log_history')
    count_history = _history_array(count_history, '_count_history')
    if len(log_history) != len(count_history):
        raise UnsafeCheckpointError(
            'HistoryBuffer arrays differ in length '
            f'({len(log_history)} vs {len(count_history)})')
    buffer.__dict__.update(max_length=max_length, _log_history=log_history,
                           _count_history=count_history)
    buffer._set_default_statistics()  # class defaults only
    return buffer


def rebuild_history_buffer(log_history: np.ndarray,
                           count_history: np.ndarray, max_length: int):
    """Rebuild a HistoryBuffer written by the reducer of mmssl_ext 0.1.

    Checkpoints saved with mmssl_ext 0.1 (before the safe loader) name this
    function in their pickle; it stays so they keep loading (validated).
    """
    buffer = _history_buffer_cls().__new__(_history_buffer_cls())
    return _fill_history_buffer(buffer, log_history, count_history,
                                max_length)


def _build_history_buffer(buffer, state) -> None:
    allowed = {'max_length', '_log_history', '_count_history',
               'statistics_methods'}
    if not isinstance(state, dict) or not set(state) <= allowed:
        extra = sorted(set(state) - allowed) if isinstance(state, dict) \
            else type(state).__name__
        raise UnsafeCheckpointError(f'HistoryBuffer state with {extra}')
    methods = state.get('statistics_methods', {})
    cls = _history_buffer_cls()
    if not isinstance(methods, dict) or any(
            name not in HISTORY_STATISTICS
            or fn is not getattr(cls, name) for name, fn in methods.items()):
        raise UnsafeCheckpointError(
            f'HistoryBuffer statistics methods {list(methods)} (only '
            f'{", ".join(HISTORY_STATISTICS)} are rebuilt)')
    for key in ('max_length', '_log_history', '_count_history'):
        if key not in state:
            raise UnsafeCheckpointError(f'HistoryBuffer state without {key}')
    _fill_history_buffer(buffer, state['_log_history'],
                         state['_count_history'], state['max_length'])


# --------------------------------------------------------------------------
# numpy
# --------------------------------------------------------------------------
def _check_dtype(dtype) -> np.dtype:
    if (not isinstance(dtype, np.dtype) or dtype.hasobject
            or dtype.kind not in ARRAY_KINDS or dtype.fields is not None
            or dtype.subdtype is not None):
        raise UnsafeCheckpointError(
            f'numpy dtype {dtype!r} (object and structured dtypes can hold '
            f'arbitrary Python objects)')
    return dtype


def _make_dtype(spec, align=False, copy=True) -> np.dtype:
    if not isinstance(spec, str) or len(spec) > 16:
        raise UnsafeCheckpointError(f'numpy dtype spec {spec!r}')
    _check_dtype(np.dtype(spec))
    # always a fresh copy: BUILD must never alter numpy's shared instances
    return np.dtype(spec, bool(align), True)


def _build_dtype(dtype: np.dtype, state) -> None:
    # (version, byteorder, subdescr, names, fields, elsize, alignment, flags
    #  [, metadata]); only the fields of a plain numeric/string dtype
    if (not isinstance(state, tuple) or len(state) not in (8, 9)
            or state[0] not in (3, 4) or state[1] not in ('<', '>', '|', '=')
            or state[2:5] != (None, None, None)
            or (len(state) == 9 and state[8] is not None)
            or state[7] != dtype.flags
            or state[5] not in (-1, dtype.itemsize)
            or state[6] not in (-1, dtype.alignment)):
        raise UnsafeCheckpointError(f'numpy dtype state {state!r}')
    dtype.__setstate__(state)
    _check_dtype(dtype)


def _numpy_helpers() -> Tuple[Callable, Callable]:
    """numpy's array/scalar unpickling helpers, whatever module holds them."""
    return np.zeros(1).__reduce__()[0], np.float64(0).__reduce__()[0]


def _make_empty_array(subtype, shape, typecode) -> np.ndarray:
    if subtype is not np.ndarray:
        raise UnsafeCheckpointError(
            f'numpy array subclass {subtype!r} (only numpy.ndarray)')
    return np.empty((0, ), np.int8)


def _build_array(array: np.ndarray, state) -> None:
    if isinstance(state, tuple) and len(state) == 5:
        state = state[1:]
    if not isinstance(state, tuple) or len(state) != 4:
        raise UnsafeCheckpointError('numpy array state')
    shape, dtype, fortran, data = state
    _check_dtype(dtype)
    if (not isinstance(shape, tuple)
            or any(type(n) is not int or n < 0 for n in shape)
            or type(fortran) is not bool
            or not isinstance(data, (bytes, bytearray))):
        raise UnsafeCheckpointError(
            f'numpy array state (shape {shape!r}, data '
            f'{type(data).__name__})')
    size = 1
    for n in shape:
        size *= n
    if size * dtype.itemsize != len(data):
        raise UnsafeCheckpointError(
            f'numpy array of shape {shape} and dtype {dtype} with '
            f'{len(data)} data bytes')
    array.__setstate__((shape, dtype, fortran, bytes(data)))


def _make_scalar(scalar: Callable, dtype, data=None):
    _check_dtype(dtype)
    if not isinstance(data, bytes) or len(data) != dtype.itemsize:
        raise UnsafeCheckpointError(f'numpy scalar of dtype {dtype}')
    return scalar(dtype, data)


# --------------------------------------------------------------------------
# torch
# --------------------------------------------------------------------------
def _is_int_tuple(value) -> bool:
    return isinstance(value, tuple) and all(type(n) is int for n in value)


def _check_storage(storage) -> None:
    if not isinstance(storage, (torch.storage.TypedStorage,
                                torch.UntypedStorage)):
        raise UnsafeCheckpointError(
            f'tensor rebuilt from {type(storage).__name__}, not a storage')


def _check_hooks(hooks) -> None:
    if not isinstance(hooks, dict) or hooks:
        raise UnsafeCheckpointError('tensor with backward hooks')


def _rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks,
                       metadata=None):
    _check_storage(storage)
    _check_hooks(hooks)
    if (type(offset) is not int or not _is_int_tuple(size)
            or not _is_int_tuple(stride) or type(requires_grad) is not bool
            or not (metadata is None or isinstance(metadata, dict) and all(
                type(k) is str and type(v) is bool
                for k, v in metadata.items()))):
        raise UnsafeCheckpointError('tensor layout')
    return torch._utils._rebuild_tensor_v2(storage, offset, size, stride,
                                           requires_grad, OrderedDict(),
                                           metadata)


def _rebuild_tensor(storage, offset, size, stride):
    _check_storage(storage)
    if (type(offset) is not int or not _is_int_tuple(size)
            or not _is_int_tuple(stride)):
        raise UnsafeCheckpointError('tensor layout')
    return torch._utils._rebuild_tensor(storage, offset, size, stride)


def _rebuild_parameter(data, requires_grad, hooks):
    _check_hooks(hooks)
    if type(data) is not torch.Tensor or type(requires_grad) is not bool:
        raise UnsafeCheckpointError('parameter')
    return torch.nn.Parameter(data, requires_grad)


def _make_device(*args):
    if not (1 <= len(args) <= 2 and isinstance(args[0], str)
            and all(type(a) is int for a in args[1:])):
        raise UnsafeCheckpointError(f'torch.device{args!r}')
    return torch.device(*args)


def _make_size(dims=()):
    if not isinstance(dims, (tuple, list)) or not _is_int_tuple(tuple(dims)):
        raise UnsafeCheckpointError('torch.Size')
    return torch.Size(dims)


# --------------------------------------------------------------------------
# builtins
# --------------------------------------------------------------------------
def _getattr(obj, name):
    cls = _history_buffer_cls()
    if obj is not cls or name not in HISTORY_STATISTICS:
        owner = getattr(obj, '__qualname__', type(obj).__name__)
        raise UnsafeCheckpointError(
            f'getattr({owner}, {name!r}) (only HistoryBuffer.'
            f'{"/".join(HISTORY_STATISTICS)} are looked up)')
    return getattr(cls, name)


def _encode(text, encoding='utf-8'):
    if type(text) is not str or encoding not in ('latin1', 'latin-1'):
        raise UnsafeCheckpointError(f'_codecs.encode(..., {encoding!r})')
    return text.encode('latin1')


def _make_ordered_dict(items=()):
    if not isinstance(items, (list, tuple, dict)):
        raise UnsafeCheckpointError('OrderedDict arguments')
    return OrderedDict(items)


def _make_counter(counts=None):
    if counts is not None and type(counts) is not dict:
        raise UnsafeCheckpointError('Counter arguments')
    return Counter(counts or {})


def _make_set(kind):
    def make(items=()):
        if not isinstance(items, (list, tuple)):
            raise UnsafeCheckpointError(f'{kind.__name__} arguments')
        return kind(items)
    return make


# --------------------------------------------------------------------------
# the allowlist
# --------------------------------------------------------------------------
_ALIASES = {
    '__builtin__': 'builtins',
    'numpy._core.multiarray': 'numpy.core.multiarray',
}
_GLOBALS: Dict[Tuple[str, str], Any] = {}
#: id(callable) -> (callable, checked replacement) for REDUCE
_CALLS: Dict[int, Tuple[Any, Callable]] = {}


def _allowlist() -> Dict[Tuple[str, str], Any]:
    if _GLOBALS:
        return _GLOBALS
    import codecs
    reconstruct, scalar = _numpy_helpers()
    history_buffer = _history_buffer_cls()
    calls = {
        getattr: _getattr,
        codecs.encode: _encode,
        OrderedDict: _make_ordered_dict,
        Counter: _make_counter,
        set: _make_set(set),
        frozenset: _make_set(frozenset),
        np.dtype: _make_dtype,
        reconstruct: _make_empty_array,
        scalar: lambda *args: _make_scalar(scalar, *args),
        rebuild_history_buffer: rebuild_history_buffer,
        torch._utils._rebuild_tensor_v2: _rebuild_tensor_v2,
        torch._utils._rebuild_tensor: _rebuild_tensor,
        torch._utils._rebuild_parameter: _rebuild_parameter,
        torch.device: _make_device,
        torch.Size: _make_size,
    }
    _CALLS.update({id(k): (k, v) for k, v in calls.items()})
    _GLOBALS.update({
        ('builtins', 'getattr'): getattr,
        ('builtins', 'set'): set,
        ('builtins', 'frozenset'): frozenset,
        ('_codecs', 'encode'): codecs.encode,
        ('collections', 'OrderedDict'): OrderedDict,
        ('collections', 'Counter'): Counter,
        ('numpy', 'ndarray'): np.ndarray,
        ('numpy', 'dtype'): np.dtype,
        ('numpy.core.multiarray', '_reconstruct'): reconstruct,
        ('numpy.core.multiarray', 'scalar'): scalar,
        ('mmengine.logging.history_buffer', 'HistoryBuffer'): history_buffer,
        ('mmssl_ext.compat.checkpoint', 'rebuild_history_buffer'):
        rebuild_history_buffer,
        ('torch._utils', '_rebuild_tensor_v2'):
        torch._utils._rebuild_tensor_v2,
        ('torch._utils', '_rebuild_tensor'): torch._utils._rebuild_tensor,
        ('torch._utils', '_rebuild_parameter'):
        torch._utils._rebuild_parameter,
        ('torch', 'device'): torch.device,
        ('torch', 'Size'): torch.Size,
    })
    _GLOBALS.update({('torch', name): value
                     for name, value in vars(torch).items()
                     if isinstance(value, torch.dtype)})
    return _GLOBALS


_P = pickle  # opcode constants


class RestrictedUnpickler(pickle._Unpickler):
    """A pickle reader that rebuilds only the allowlisted objects.

    Built on the pure-Python unpickler of the standard library so that every
    opcode able to import (GLOBAL, STACK_GLOBAL, EXT*), call (REDUCE,
    NEWOBJ*, OBJ, INST, PERSID) or mutate (BUILD, SETITEM(S), APPEND(S),
    ADDITEMS) goes through a check here. torch's loader subclasses it (see
    ``torch.serialization._load``) and supplies ``persistent_load`` for
    storages.
    """

    dispatch = dict(pickle._Unpickler.dispatch)

    def __init__(self, file, **kwargs):
        super().__init__(file, **kwargs)
        # objects awaiting their BUILD: id -> (object, kind)
        self._pending: Dict[int, Tuple[Any, str]] = {}

    def find_class(self, module: str, name: str) -> Any:
        key = (_ALIASES.get(module, module), name)
        allowed = _allowlist()
        if key not in allowed:
            raise UnsafeCheckpointError(f'the global {module}.{name}')
        return allowed[key]

    def load(self):
        result = super().load()
        for obj, kind in self._pending.values():
            if kind == 'history':
                raise UnsafeCheckpointError('a HistoryBuffer without state')
        return result

    def _pend(self, obj, kind: str):
        self._pending[id(obj)] = (obj, kind)
        return obj

    def _refuse(opname: str):  # noqa: N805 (used at class creation)
        def refuse(self):
            raise UnsafeCheckpointError(
                f'the pickle opcode {opname} (object construction that only '
                f'arbitrary code could do)')
        return refuse

    for _op in ('INST', 'OBJ', 'EXT1', 'EXT2', 'EXT4', 'PERSID'):
        dispatch[getattr(_P, _op)[0]] = _refuse(_op)

    def load_reduce(self):
        args = self.stack.pop()
        func = self.stack[-1]
        entry = _CALLS.get(id(func))
        if entry is None or entry[0] is not func:
            raise UnsafeCheckpointError(
                f'a call of {getattr(func, "__qualname__", func)!r}')
        if not isinstance(args, tuple):
            raise UnsafeCheckpointError('call arguments')
        try:
            value = entry[1](*args)
        except (TypeError, ValueError) as exc:
            raise UnsafeCheckpointError(
                f'{getattr(func, "__qualname__", func)} with arguments of '
                f'unexpected types ({exc})') from None
        if entry[1] is _make_dtype:
            self._pend(value, 'dtype')
        elif entry[1] is _make_empty_array:
            self._pend(value, 'array')
        self.stack[-1] = value

    dispatch[_P.REDUCE[0]] = load_reduce

    def _new_object(self, cls, args, kwargs=None):
        if (cls is not _history_buffer_cls() or args != ()
                or (kwargs or {}) != {}):
            raise UnsafeCheckpointError(
                f'creating an instance of '
                f'{getattr(cls, "__qualname__", cls)!r}')
        return self._pend(cls.__new__(cls), 'history')

    def load_newobj(self):
        args = self.stack.pop()
        cls = self.stack.pop()
        self.append(self._new_object(cls, args))

    dispatch[_P.NEWOBJ[0]] = load_newobj

    def load_newobj_ex(self):
        kwargs = self.stack.pop()
        args = self.stack.pop()
        cls = self.stack.pop()
        self.append(self._new_object(cls, args, kwargs))

    dispatch[_P.NEWOBJ_EX[0]] = load_newobj_ex

    def load_build(self):
        state = self.stack.pop()
        inst = self.stack[-1]
        obj, kind = self._pending.pop(id(inst), (None, None))
        if obj is not inst:
            kind = None
        if kind == 'history':
            _build_history_buffer(inst, state)
        elif kind == 'array':
            _build_array(inst, state)
        elif kind == 'dtype':
            _build_dtype(inst, state)
        elif (type(inst) is OrderedDict and isinstance(state, dict) and all(
                type(k) is str and not k.startswith('__') for k in state)):
            inst.__dict__.update(state)  # a state dict's ``_metadata``
        else:
            raise UnsafeCheckpointError(
                f'setting the state of a {type(inst).__name__}')

    dispatch[_P.BUILD[0]] = load_build

    def load_binpersid(self):
        pid = self.stack.pop()
        if (not isinstance(pid, tuple) or len(pid) not in (5, 6)
                or pid[0] not in ('storage', b'storage')):
            raise UnsafeCheckpointError(
                f'the persistent id {str(pid)[:60]} (only tensor storages '
                f'are loaded, not pickled modules)')
        self.append(self.persistent_load(pid))

    dispatch[_P.BINPERSID[0]] = load_binpersid

    def _check_target(self, target, kinds, opname):
        if type(target) not in kinds:
            raise UnsafeCheckpointError(
                f'{opname} on a {type(target).__name__}')

    def load_setitem(self):
        self._check_target(self.stack[-3], (dict, OrderedDict, Counter),
                           'SETITEM')
        super().load_setitem()

    dispatch[_P.SETITEM[0]] = load_setitem

    def load_setitems(self):
        self._check_target(self.metastack[-1][-1],
                           (dict, OrderedDict, Counter), 'SETITEMS')
        super().load_setitems()

    dispatch[_P.SETITEMS[0]] = load_setitems

    def load_append(self):
        self._check_target(self.stack[-2], (list, ), 'APPEND')
        super().load_append()

    dispatch[_P.APPEND[0]] = load_append

    def load_appends(self):
        self._check_target(self.metastack[-1][-1], (list, ), 'APPENDS')
        super().load_appends()

    dispatch[_P.APPENDS[0]] = load_appends

    def load_additems(self):
        self._check_target(self.metastack[-1][-1], (set, ), 'ADDITEMS')
        super().load_additems()

    dispatch[_P.ADDITEMS[0]] = load_additems

    del _op, _refuse


def _restricted_load(file, **kwargs):
    return RestrictedUnpickler(file, **kwargs).load()


#: what ``torch.load(pickle_module=...)`` uses
_SAFE_PICKLE = types.ModuleType('mmssl_ext_restricted_pickle')
_SAFE_PICKLE.Unpickler = RestrictedUnpickler
_SAFE_PICKLE.load = _restricted_load
_SAFE_PICKLE.UnpicklingError = pickle.UnpicklingError


# --------------------------------------------------------------------------
# the loader
# --------------------------------------------------------------------------
FileLike = Union[str, os.PathLike, IO[bytes]]
_ZIP_MAGIC = b'PK\x03\x04'


def _head(source: FileLike, size: int = 4) -> bytes:
    if isinstance(source, (str, os.PathLike)):
        with open(source, 'rb') as f:
            return f.read(size)
    pos = source.tell()
    data = source.read(size)
    source.seek(pos)
    return data


def _zip_names(source: FileLike):
    if not isinstance(source, (str, os.PathLike)):
        pos = source.tell()
        try:
            with zipfile.ZipFile(source) as z:
                return z.namelist()
        finally:
            source.seek(pos)
    with zipfile.ZipFile(source) as z:
        return z.namelist()


def _is_corrupt(source: FileLike) -> bool:
    """Whether the file's container or pickles are broken (reads, runs
    nothing)."""
    try:
        if not isinstance(source, (str, os.PathLike)):
            source.seek(0)
        head = _head(source)
        if not head:
            return True
        if head == _ZIP_MAGIC:
            with zipfile.ZipFile(source) as z:
                if z.testzip() is not None:
                    return True
                pkl = [n for n in z.namelist() if n.endswith('/data.pkl')]
                if not pkl:
                    return True
                for _ in pickletools.genops(z.read(pkl[0])):
                    pass
            return False
        # torch's legacy format: magic number, protocol, sys info, the
        # object, the storage keys -- five pickles, then raw storage bytes
        if isinstance(source, (str, os.PathLike)):
            with open(source, 'rb') as f:
                stream = io.BytesIO(f.read())
        else:
            source.seek(0)
            stream = io.BytesIO(source.read())
        for _ in range(5):
            for op, _arg, _pos in pickletools.genops(stream):
                if op.name == 'STOP':
                    break
            else:
                return True
        return False
    except Exception:  # noqa: BLE001 - any parse failure means corrupt
        return True


def _describe(source: FileLike) -> str:
    if isinstance(source, (str, os.PathLike)):
        return os.fspath(source)
    return getattr(source, 'name', None) or 'the checkpoint stream'


def _refusal(name: str, detail: str) -> str:
    return (
        f'Refusing to load {name}: this checkpoint contains {detail}, which '
        f"mmssl_ext's safe loader does not rebuild because unpickling it "
        f'would execute code from the file (torch.load with '
        f'weights_only=False would run it). The safe loader reads tensors, '
        f'numpy arrays/scalars, containers and the HistoryBuffer logs of '
        f'mmengine/mmcv checkpoints. If you made this file or trust its '
        f'source, convert it once: python {CONVERT_TOOL} {name} NEW.pth '
        f'--trust-checkpoint, then use NEW.pth.')


def _force_weights_only() -> bool:
    value = os.getenv('TORCH_FORCE_WEIGHTS_ONLY_LOAD', '0')
    return value.lower() in ('1', 'y', 'yes', 'true')


def load_checkpoint_file(filename: FileLike,
                         map_location=None,
                         *,
                         mmap: bool = False) -> Any:
    """Load a checkpoint without executing code from it.

    Args:
        filename (str | PathLike | file object): A file written by
            ``torch.save`` (zip or pre-1.6 format).
        map_location: As for :func:`torch.load`.
        mmap (bool): Memory-map the tensors (zip files only; older files
            are read normally).

    Returns:
        The unpickled object (usually a dict).

    Raises:
        FileNotFoundError: The file does not exist.
        CorruptCheckpointError: It is truncated, damaged or not a torch file.
        UnsafeCheckpointError: It holds objects only code could rebuild.
    """
    name = _describe(filename)
    if isinstance(filename, (str, os.PathLike)):
        filename = osp.expanduser(os.fspath(filename))
        name = filename
        if not osp.exists(filename):
            raise FileNotFoundError(
                f'Checkpoint {filename} does not exist: check the path '
                f'(load_from, resume, init_cfg.checkpoint or the tool '
                f'argument).')
        if osp.isdir(filename):
            raise IsADirectoryError(
                f'Checkpoint {filename} is a directory; pass the .pth file '
                f'written by torch.save.')
    else:
        mmap = False
    head = _head(filename, 512)
    if len(head) == 0:
        raise CorruptCheckpointError(f'Checkpoint {name} is an empty file.')
    if head[:4] == _ZIP_MAGIC:
        try:
            names = _zip_names(filename)
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise CorruptCheckpointError(
                f'Checkpoint {name} is truncated or corrupt (its zip '
                f'directory is unreadable: {exc}). Use the previous '
                f'checkpoint or write it again.') from None
        if any(n.split('/', 1)[-1] == 'constants.pkl' for n in names):
            raise UnsafeCheckpointError(_refusal(
                name, 'a TorchScript program (torch.jit.save)'))
    else:
        mmap = False
        if head[257:262] == b'ustar':
            raise UnsafeCheckpointError(_refusal(
                name, "torch < 0.4's tar format with pickled modules"))
    try:
        if _force_weights_only():  # the user asked for torch's own reader
            return torch.load(filename, map_location=map_location,
                              weights_only=True)
        kwargs = dict(mmap=True) if mmap else {}
        return torch.load(filename, map_location=map_location,
                          pickle_module=_SAFE_PICKLE, weights_only=False,
                          **kwargs)
    except UnsafeCheckpointError as exc:
        raise UnsafeCheckpointError(_refusal(name, str(exc))) from None
    except Exception as exc:
        if (isinstance(exc, EOFError) or 'EOF' in str(exc)
                or _is_corrupt(filename)):
            raise CorruptCheckpointError(
                f'Checkpoint {name} is truncated or corrupt (or not written '
                f'by torch.save): {type(exc).__name__}: {exc}. Use the '
                f'previous checkpoint or write it again.') from None
        raise


def load_trusted_checkpoint(filename: str, map_location=None) -> Any:
    """Unpickle a file the user vouched for (``--trust-checkpoint``): this
    runs whatever code the pickle contains. Only the conversion tool calls
    it."""
    return torch.load(filename, map_location=map_location,
                      weights_only=False)


# --------------------------------------------------------------------------
# mmengine's CheckpointLoader schemes
# --------------------------------------------------------------------------
def load_from_local(filename, map_location=None):
    """Scheme '' of mmengine's CheckpointLoader: a local file, safely."""
    return load_checkpoint_file(filename, map_location)


def load_from_http(filename, map_location=None, model_dir=None,
                   progress=None):
    """Download once into torch's hub cache (rank 0 first), load safely."""
    from urllib.parse import urlparse

    from mmengine.dist import barrier, get_dist_info
    from torch.hub import download_url_to_file, get_dir
    model_dir = model_dir or osp.join(get_dir(), 'checkpoints')
    cached = osp.join(model_dir, osp.basename(urlparse(filename).path))
    progress = os.isatty(0) if progress is None else progress
    rank, world_size = get_dist_info()

    def fetch():
        if not osp.exists(cached):
            os.makedirs(model_dir, exist_ok=True)
            download_url_to_file(filename, cached, None, progress=progress)

    if rank == 0:
        fetch()
    if world_size > 1:
        barrier()
        if rank > 0:
            fetch()
    return load_checkpoint_file(cached, map_location)


def load_from_torchvision(filename, map_location=None):
    """``torchvision://NAME`` (or ``modelzoo://``): torchvision's URL."""
    from mmengine.runner.checkpoint import get_torchvision_models
    name = filename.split('://', 1)[1]
    return load_from_http(get_torchvision_models()[name], map_location)


def load_from_openmmlab(filename, map_location=None):
    """``open-mmlab://NAME``: mmengine's model zoo table, then http/local."""
    from mmengine.runner import checkpoint as mmckpt
    name = filename.split('://', 1)[1]
    name = mmckpt.get_deprecated_model_names().get(name, name)
    url = mmckpt.get_external_models()[name]
    if url.startswith(('http://', 'https://')):
        return load_from_http(url, map_location)
    return load_checkpoint_file(osp.join(mmckpt._get_mmengine_home(), url),
                                map_location)


def load_from_mmcls(filename, map_location=None):
    """``mmcls://NAME``: mmcls's model zoo table, keys renamed as mmengine
    does."""
    from mmengine.runner import checkpoint as mmckpt
    url = mmckpt.get_mmcls_models()[filename[len('mmcls://'):]]
    return mmckpt._process_mmcls_checkpoint(load_from_http(url, map_location))


def load_from_ceph(filename, map_location=None, backend='petrel'):
    """``s3://`` / ``petrel://`` through mmengine's file backend."""
    from mmengine.fileio import get_file_backend
    file_backend = get_file_backend(filename,
                                    backend_args={'backend': backend})
    with io.BytesIO(file_backend.get(filename)) as buffer:
        return load_checkpoint_file(buffer, map_location)


def load_from_pavi(filename, map_location=None):
    """``pavi://``: download from modelcloud, then load safely."""
    import tempfile
    from pavi import modelcloud  # noqa: F401 (ImportError names the fix)
    model = modelcloud.get(filename[len('pavi://'):])
    with tempfile.TemporaryDirectory() as tmp_dir:
        path = osp.join(tmp_dir, model.name)
        model.download(path)
        return load_checkpoint_file(path, map_location)


#: mmengine's prefixes -> our loader; every one of them ends in torch.load
SCHEMES: Dict[Any, Callable] = {
    '': load_from_local,
    ('http://', 'https://'): load_from_http,
    ('modelzoo://', 'torchvision://'): load_from_torchvision,
    ('open-mmlab://', 'openmmlab://'): load_from_openmmlab,
    'mmcls://': load_from_mmcls,
    (r'(\S+\:)?s3://', r'(\S+\:)?petrel://'): load_from_ceph,
    'pavi://': load_from_pavi,
}

_REGISTERED = False


def register_safe_checkpoint_loader() -> None:
    """Make mmengine's CheckpointLoader use :func:`load_checkpoint_file` for
    all its schemes (idempotent; overrides earlier registrations)."""
    global _REGISTERED
    if _REGISTERED:
        return
    from mmengine.runner import CheckpointLoader
    for prefixes, loader in SCHEMES.items():
        CheckpointLoader.register_scheme(prefixes, loader, force=True)
    _REGISTERED = True


#: the name ``mmssl_ext/__init__.py`` calls (kept for old imports)
register_safe_checkpoint_types = register_safe_checkpoint_loader


def unsafe_schemes() -> Dict[str, str]:
    """Prefixes of CheckpointLoader served by another loader than ours."""
    from mmengine.runner import CheckpointLoader
    ours = set(SCHEMES.values())
    return {p: getattr(f, '__module__', '?') + '.' + f.__name__
            for p, f in CheckpointLoader._schemes.items() if f not in ours}
