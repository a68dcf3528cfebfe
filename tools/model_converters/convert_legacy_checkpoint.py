"""Rewrite a checkpoint saved before mmssl_ext in the weights_only-safe form.

mmengine checkpoints written without ``import mmssl_ext`` pickle
``HistoryBuffer`` objects through ``getattr`` of bound methods; torch >= 2.6
refuses them under its ``weights_only=True`` default (and must: the same
mechanism can run arbitrary code). Loading such a file needs an explicit
statement that you trust it. This tool loads it once with
``weights_only=False`` -- only with ``--trust-checkpoint`` -- and writes it
back in the form that ``import mmssl_ext`` lets torch load safely.

    python tools/model_converters/convert_legacy_checkpoint.py OLD.pth NEW.pth \
        --trust-checkpoint
"""
import argparse
import os.path as osp
import sys

import torch

import mmssl_ext  # noqa: F401  (installs the safe HistoryBuffer reducer)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('src', help='checkpoint written before mmssl_ext')
    parser.add_argument('dst', help='output path')
    parser.add_argument('--trust-checkpoint', action='store_true',
                        help='confirm that SRC comes from a trusted source: '
                        'unpickling it can execute code')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    if not osp.isfile(args.src):
        sys.exit(f'{args.src} does not exist.')
    try:
        torch.load(args.src, map_location='cpu', weights_only=True)
    except Exception:  # noqa: BLE001 - any refusal means "needs conversion"
        pass
    else:
        print(f'{args.src} already loads with weights_only=True; copying.')
    if not args.trust_checkpoint:
        sys.exit(f'Refusing to unpickle {args.src} without '
                 f'--trust-checkpoint: a pickle can execute code. Pass the '
                 f'flag only for checkpoints you made or trust.')
    ckpt = torch.load(args.src, map_location='cpu', weights_only=False)
    torch.save(ckpt, args.dst)
    torch.load(args.dst, map_location='cpu', weights_only=True)  # verify
    print(f'Wrote {args.dst}; it loads with weights_only=True.')
    return 0


if __name__ == '__main__':
    sys.exit(main())
