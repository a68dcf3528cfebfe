"""Rewrite a trusted checkpoint that the safe loader refuses in a form it reads.

mmssl_ext loads every checkpoint with a restricted unpickler that rebuilds
tensors, numpy arrays/scalars, containers and mmengine's HistoryBuffer logs
and nothing else (see mmssl_ext/compat/checkpoint.py): plain mmengine and
mmcv-1 checkpoints need no conversion. A file that holds other objects (e.g.
an ``argparse.Namespace`` of an old run, a custom HistoryBuffer statistic)
would have to execute code to be unpickled. If you made the file or trust its
source, this tool unpickles it once -- only with ``--trust-checkpoint`` --
turns such objects into plain data (objects with attributes become dicts;
each change is printed) and writes a file the safe loader accepts::

    python tools/model_converters/convert_legacy_checkpoint.py OLD.pth NEW.pth \
        --trust-checkpoint

A file the safe loader already reads is copied unchanged (no flag needed); a
truncated or damaged file is reported as such.
"""
import argparse
import os
import os.path as osp
import shutil
import sys
from collections import Counter, OrderedDict
from typing import Any, List

import numpy as np
import torch

from mmssl_ext.compat.checkpoint import (ARRAY_KINDS, CorruptCheckpointError,
                                         UnsafeCheckpointError,
                                         load_checkpoint_file,
                                         load_trusted_checkpoint)

PLAIN = (str, bytes, int, float, complex, bool, type(None), torch.Tensor,
         torch.Size, torch.device, torch.dtype)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('src', help='checkpoint to convert')
    parser.add_argument('dst', help='output path')
    parser.add_argument('--trust-checkpoint', action='store_true',
                        help='confirm that SRC comes from a trusted source: '
                        'unpickling it can execute code')
    return parser.parse_args(argv)


def to_plain(obj: Any, path: str, changes: List[str]) -> Any:
    """``obj`` with everything the safe loader refuses turned into data."""
    from mmengine.logging import HistoryBuffer
    if isinstance(obj, PLAIN):
        return obj
    if isinstance(obj, (np.generic, np.ndarray)):
        if obj.dtype.kind in ARRAY_KINDS and obj.dtype.fields is None:
            return obj if isinstance(obj, np.generic) else np.asarray(obj)
        changes.append(f'{path}: numpy {obj.dtype} -> list')
        return to_plain(obj.tolist(), path, changes)
    if isinstance(obj, HistoryBuffer):
        # a fresh buffer: no custom statistics methods
        new = HistoryBuffer(max_length=int(obj.max_length))
        new._log_history = np.asarray(obj._log_history, dtype=np.float64)
        new._count_history = np.asarray(obj._count_history, dtype=np.int64)
        return new
    if isinstance(obj, dict):
        kind = type(obj) if type(obj) in (dict, OrderedDict, Counter) \
            else dict
        if kind is not type(obj):
            changes.append(f'{path}: {type(obj).__name__} -> dict')
        out = kind()
        for key, value in obj.items():
            out[key] = to_plain(value, f'{path}[{key!r}]', changes)
        if isinstance(getattr(obj, '_metadata', None), dict):
            out._metadata = obj._metadata  # a state dict's module versions
        return out
    if isinstance(obj, (list, tuple, set, frozenset)):
        kind = type(obj) if type(obj) in (list, tuple, set, frozenset) \
            else list
        return kind(to_plain(v, f'{path}[{i}]', changes)
                    for i, v in enumerate(obj))
    if hasattr(obj, '__dict__'):
        changes.append(f'{path}: {type(obj).__module__}.'
                       f'{type(obj).__qualname__} -> dict of its attributes')
        return to_plain(dict(vars(obj)), path, changes)
    changes.append(f'{path}: {type(obj).__module__}.{type(obj).__qualname__}'
                   f' -> its repr() string')
    return repr(obj)


def main(argv=None) -> int:
    args = parse_args(argv)
    if not osp.isfile(args.src):
        sys.exit(f'{args.src} does not exist.')
    try:
        load_checkpoint_file(args.src, map_location='cpu')
    except CorruptCheckpointError as exc:
        sys.exit(f'Cannot convert: {exc}')
    except UnsafeCheckpointError as exc:
        if not args.trust_checkpoint:
            sys.exit(f'{exc}\nRefusing to unpickle {args.src} without '
                     f'--trust-checkpoint: a pickle can execute code. Pass '
                     f'the flag only for checkpoints you made or trust.')
    else:
        print(f'{args.src} already loads with the safe loader; copying.')
        shutil.copyfile(args.src, args.dst)
        return 0
    changes: List[str] = []
    ckpt = to_plain(load_trusted_checkpoint(args.src, map_location='cpu'),
                    'ckpt', changes)
    for line in changes:
        print('converted', line)
    tmp = f'{args.dst}.tmp'
    torch.save(ckpt, tmp)
    try:
        load_checkpoint_file(tmp, map_location='cpu')  # verify
    except UnsafeCheckpointError as exc:
        os.remove(tmp)
        sys.exit(f'The converted file is still refused ({exc}); extract the '
                 f'weights with tools/model_converters/'
                 f'extract_backbone_weights.py instead.')
    os.replace(tmp, args.dst)
    print(f'Wrote {args.dst}; it loads with the safe loader.')
    return 0


if __name__ == '__main__':
    sys.exit(main())
