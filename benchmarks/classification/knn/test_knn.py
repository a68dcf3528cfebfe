"""Weighted kNN evaluation of self-supervised backbones.

Extracts globally pooled backbone features of the config's
``knn_train_dataloader`` and ``knn_test_dataloader`` and classifies the test
split by weighted kNN (cosine, ``exp(sim / T)`` votes). One process or
``torch.distributed`` (``--launcher pytorch``; extraction is sharded).

Examples::

    # a pretraining checkpoint, plus the random-init and raw-pixel baselines
    python benchmarks/classification/knn/test_knn.py CONFIG \
        --checkpoint work_dirs/x/iter_1200.pth --random-init --raw-pixels
    # several k, another temperature, a subset of the training split
    python benchmarks/classification/knn/test_knn.py CONFIG --checkpoint CKPT \
        --ks 10 20 100 200 --temperature 0.07 \
        --cfg-options knn_train_dataloader.dataset.indices=10000
    # a config without kNN splits (e.g. ODC): take them from another file
    python benchmarks/classification/knn/test_knn.py \
        configs/odc/odc_resnet18-cifar-w16_1xb64-steplr-4e_fashion-mnist.py \
        --checkpoint CKPT --knn-data configs/_base_/datasets/fashion-mnist_knn.py
"""
import argparse
import json
import os
import os.path as osp
import sys
import time

import torch
from mmengine.config import Config, DictAction
from mmengine.dist import get_rank, init_dist
from mmengine.logging import MMLogger
from mmengine.registry import init_default_scope
from mmengine.runner import Runner

import mmssl_ext  # noqa: F401  (registers modules, safe checkpoint loading)
from mmssl_ext.compat.build_dataloader import strip_scope
from mmssl_ext.evaluation.feature_extractor import (build_model_for_extraction,
                                                    dataset_labels,
                                                    extract_features)
from mmssl_ext.evaluation.functional import knn_accuracy
from mmssl_ext.models.utils.backbone_checkpoint import EXTRACT_HINT

REQUIRED_KEYS = ('knn_train_dataloader', 'knn_test_dataloader')


def _layer(value: str):
    """--layer: an output index or a level name (feat1 .. feat5)."""
    try:
        return int(value)
    except ValueError:
        return value


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='kNN evaluation')
    parser.add_argument('config', help='pretraining (or any) config with '
                        'knn_train_dataloader / knn_test_dataloader')
    parser.add_argument('--checkpoint', action='append', default=[],
                        help='checkpoint to evaluate (repeatable): a full '
                        'mmengine checkpoint or an extracted backbone')
    parser.add_argument('--random-init', action='store_true',
                        help='also evaluate the randomly initialised model '
                        '(seed from the config)')
    parser.add_argument('--raw-pixels', action='store_true',
                        help='also evaluate normalised raw pixels')
    parser.add_argument('--knn-data', help='config file whose knn_train_'
                        'dataloader / knn_test_dataloader (and knn) replace '
                        "CONFIG's, e.g. configs/_base_/datasets/"
                        'fashion-mnist_knn.py for any Fashion-MNIST pretraining '
                        'config')
    parser.add_argument('--ks', type=int, nargs='+', default=None,
                        help='neighbour counts (default: the config\'s '
                        'knn.ks, else 10 20 100 200 as MMSelfSup)')
    parser.add_argument('--temperature', type=float, default=None)
    parser.add_argument('--layer', type=_layer, default=-1,
                        help='backbone output index to pool (default: last), '
                        'or a ResNet level feat1 .. feat5 (the backbone is '
                        'built as its ResNetFeats variant)')
    parser.add_argument('--out', help='write the results as JSON here')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm'],
                        default='none')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config entries, key=value')
    parser.add_argument('--local-rank', '--local_rank', type=int, default=0)
    return parser.parse_args(argv)


def load_config(args) -> Config:
    cfg = Config.fromfile(args.config)
    if args.knn_data:
        data = Config.fromfile(args.knn_data)
        missing = [k for k in REQUIRED_KEYS if k not in data]
        if missing:
            raise KeyError(f'--knn-data {args.knn_data} lacks {missing}.')
        for key in REQUIRED_KEYS + ('knn', ):
            if key in data:
                cfg[key] = data[key]
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    missing = [k for k in REQUIRED_KEYS if k not in cfg]
    if missing:
        raise KeyError(
            f'{args.config} lacks {missing}. Pass --knn-data with a config '
            f'that defines them (e.g. configs/_base_/datasets/'
            f'fashion-mnist_knn.py) or add them to the config.')
    return cfg


def check_out_path(out: str) -> None:
    """Refuse an --out that cannot be written, before any evaluation."""
    path = osp.abspath(out)
    if osp.isdir(path):
        sys.exit(f'--out {out} is a directory: pass a file name, e.g. '
                 f'{osp.join(out, "knn.json")}.')
    parent = osp.dirname(path)
    while not osp.exists(parent):  # created later: check what exists
        parent = osp.dirname(parent)
    if not osp.isdir(parent):
        sys.exit(f'--out {out}: {parent} is a file, not a folder; pass a '
                 f'path in a folder.')
    if not os.access(parent, os.W_OK | os.X_OK):
        sys.exit(f'--out {out}: the folder {parent} is not writable; pass a '
                 f'path in a folder you can write to.')


def format_table(rows, ks, temperature) -> str:
    header = ['model'] + [f'k={k} top1' for k in ks] + [f'k={k} top5'
                                                        for k in ks]
    body = [[name] + [f'{res[f"k{k}_top1"]:.2f}' for k in ks] +
            [f'{res[f"k{k}_top5"]:.2f}' for k in ks] for name, res in rows]
    widths = [max(len(str(r[i])) for r in [header] + body)
              for i in range(len(header))]
    line = lambda cells: '| ' + ' | '.join(  # noqa: E731
        str(c).ljust(w) for c, w in zip(cells, widths)) + ' |'
    out = [f'Weighted kNN (cosine, T={temperature})', line(header),
           '|' + '|'.join('-' * (w + 2) for w in widths) + '|']
    out += [line(r) for r in body]
    return '\n'.join(out)


def main(argv=None) -> int:
    args = parse_args(argv)
    if not (args.checkpoint or args.random_init or args.raw_pixels):
        sys.exit('Nothing to evaluate: pass --checkpoint CKPT and/or '
                 '--random-init / --raw-pixels.')
    for ckpt in args.checkpoint:
        if not osp.isfile(ckpt):
            sys.exit(f'Checkpoint {ckpt!r} does not exist. {EXTRACT_HINT}')
    if args.out:
        check_out_path(args.out)
    cfg = load_config(args)
    if args.launcher != 'none':
        backend = 'nccl' if torch.cuda.is_available() else 'gloo'
        if args.launcher == 'pytorch' and not torch.cuda.is_available():
            torch.distributed.init_process_group('gloo')
        else:
            init_dist(args.launcher, backend=backend)
    init_default_scope(cfg.get('default_scope', 'mmpretrain'))
    # model.init_weights() logs every parameter at INFO; keep the table legible
    MMLogger.get_instance('mmssl_ext_knn', log_level='WARNING')
    knn_cfg = cfg.get('knn', {})
    # defaults as MMSelfSup's test_knn.py: k in 10/20/100/200, T = 0.07
    ks = args.ks or knn_cfg.get('ks', [10, 20, 100, 200])
    temperature = args.temperature or knn_cfg.get('temperature', 0.07)

    train_loader = Runner.build_dataloader(
        strip_scope(cfg.knn_train_dataloader))
    test_loader = Runner.build_dataloader(
        strip_scope(cfg.knn_test_dataloader))
    train_labels = dataset_labels(train_loader.dataset)
    test_labels = dataset_labels(test_loader.dataset)
    if min(ks) < 1 or max(ks) > len(train_labels):
        sys.exit(f'k={max(ks) if min(ks) >= 1 else min(ks)} is not in '
                 f'[1, {len(train_labels)}] (the size of knn_train_dataloader'
                 f'): pass --ks within it, or use more training samples.')

    candidates = []
    if args.raw_pixels:
        candidates.append(('raw pixels', None, True))
    if args.random_init:
        candidates.append(('random init', None, False))
    candidates += [(osp.basename(c), c, False) for c in args.checkpoint]

    rows, timings = [], {}
    for name, ckpt, raw in candidates:
        start = time.perf_counter()
        model = build_model_for_extraction(
            cfg, ckpt, layers=[args.layer] if isinstance(args.layer, str)
            else None)
        if torch.cuda.is_available():
            model = model.cuda()  # init_dist chose this rank's device
        train_feats = extract_features(model, train_loader, args.layer, raw)
        test_feats = extract_features(model, test_loader, args.layer, raw)
        if get_rank() == 0:  # only rank 0 holds the gathered features
            result = knn_accuracy(train_feats, train_labels, test_feats,
                                  test_labels, ks=ks, temperature=temperature)
            timings[name] = time.perf_counter() - start
            rows.append((name, result))
            print(f'[knn] {name}: {result} ({timings[name]:.1f} s, '
                  f'{len(train_labels)} train / {len(test_labels)} test)',
                  flush=True)
    if get_rank() == 0:
        print(format_table(rows, ks, temperature))
        if args.out:
            os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
            with open(args.out, 'w') as f:
                json.dump(dict(ks=ks, temperature=temperature,
                               num_train=len(train_labels),
                               num_test=len(test_labels),
                               results=dict(rows), seconds=timings), f,
                          indent=2)
    return 0


if __name__ == '__main__':
    sys.exit(main())
