"""t-SNE of backbone (or neck) features of a labelled dataset.

MMSelfSup's command line works as in its manual: the config holds the model
and the data (``extract_dataloader`` as in MMSelfSup's ``configs/tsne/``; else
the config's ``knn_test_dataloader``), ``--checkpoint`` the weights (a
training checkpoint or an extracted backbone, with or without the
``backbone.`` prefix; omitted: random initialisation)::

    python tools/analysis_tools/visualize_tsne.py CONFIG \
        --checkpoint CKPT --work-dir DIR [--layer-ind 0,1,2,3,4]

writes ``DIR/tsne_<timestamp>/``. ``--layer-ind`` takes MMSelfSup 0.x's
ResNet levels (0 = stem before the max-pool ... 4 = last stage), i.e.
``feat1`` ... ``feat5``; ``--vis-stage neck`` (MMSelfSup 1.x) embeds the
neck's output instead. Defaults are MMSelfSup's: last stage, classes below
``--max-num-class 20``, t-SNE with init 'random', learning rate 200, early
exaggeration 12, 1000 iterations.

Our own form still works: a labelled image list instead of the config's data
and an explicit output folder::

    python tools/analysis_tools/visualize_tsne.py CONFIG \
        --checkpoint backbone.pth --data-root data/fashion_mnist \
        --ann-file meta/test.txt --features feat4 feat5 --max-samples 1000 \
        --out-dir work_dirs/tsne

Writes ``tsne_<layer>.png`` (points coloured by label) and
``tsne_<layer>.npz`` (``embedding``, ``labels``) per layer. Features come
from :func:`mmssl_ext.evaluation.feature_extractor.extract_features`, the
weights from the one backbone loader (errors name the file and the fix).
"""
import argparse
import os
import os.path as osp
import time
from typing import Dict, List

import numpy as np
import torch


def load_backbone_state(path: str) -> Dict[str, torch.Tensor]:
    """Backbone tensors of a checkpoint, without the ``backbone.`` prefix
    (:func:`mmssl_ext.models.utils.backbone_checkpoint.read_backbone`)."""
    from mmssl_ext.models.utils.backbone_checkpoint import read_backbone
    return read_backbone(path)[0]


def parse_layers(args) -> List[str]:
    """Layer names from ``--vis-stage`` / ``--layer-ind`` / ``--features``."""
    if args.vis_stage in ('neck', 'pre_logits'):
        return [args.vis_stage]
    if args.layer_ind is not None:
        try:
            levels = [int(i) for i in args.layer_ind.split(',') if i.strip()]
        except ValueError:
            levels = [-1]
        if not levels or any(not 0 <= i <= 4 for i in levels):
            raise ValueError(
                f'--layer-ind {args.layer_ind!r}: give ResNet levels 0 (stem) '
                f'to 4 (last stage) separated by commas, e.g. "0,1,2,3,4".')
        return [f'feat{i + 1}' for i in levels]
    return list(args.features or ['feat5'])


def build_dataset(cfg, args):
    """The labelled dataset: ``--ann-file`` list, else the config's
    ``extract_dataloader`` / ``knn_test_dataloader``; classes below
    ``--max-num-class``, at most ``--max-samples`` (seeded draw)."""
    from mmpretrain.registry import DATASETS
    if args.ann_file:
        if not args.data_root:
            raise ValueError('--ann-file needs --data-root (the folder the '
                             'list\'s paths are relative to).')
        path = osp.join(args.data_root, args.ann_file)
        if not osp.isfile(path):
            raise FileNotFoundError(f'Annotation file {path!r} does not '
                                    f'exist: pass a "path label" list.')
        dataset_cfg = dict(
            type='CustomDataset', data_root=args.data_root,
            ann_file=args.ann_file, with_label=True, pipeline=[
                dict(type='LoadImageFromFile'),
                dict(type='Resize', scale=(args.img_size, args.img_size)),
                dict(type='PackInputs')])
        loader_cfg = dict(batch_size=64, num_workers=0)
        max_samples = 1000 if args.max_samples is None else args.max_samples
    else:
        key = next((k for k in ('extract_dataloader', 'knn_test_dataloader')
                    if k in cfg), None)
        if key is None:
            raise KeyError(
                f'{args.config} has no extract_dataloader (MMSelfSup\'s '
                f'configs/tsne/ layout) or knn_test_dataloader: add one, or '
                f'pass a labelled list with --data-root and --ann-file.')
        loader_cfg = dict(cfg[key])
        dataset_cfg = loader_cfg.pop('dataset')
        max_samples = args.max_samples or 0
    dataset = DATASETS.build(dataset_cfg)
    dataset.full_init()
    labels = np.asarray(dataset.get_gt_labels())
    keep = np.nonzero(labels < args.max_num_class)[0]
    if max_samples and len(keep) > max_samples:
        keep = np.sort(np.random.default_rng(args.seed).choice(
            keep, max_samples, replace=False))
    if len(keep) < len(labels):
        dataset.get_subset_(keep.tolist())
    if len(dataset) < 2:
        raise ValueError(f'{len(dataset)} samples with a label below '
                         f'--max-num-class {args.max_num_class}: t-SNE needs '
                         f'at least 2.')
    loader_cfg.update(dataset=dataset, collate_fn=dict(type='default_collate'),
                      sampler=dict(type='DefaultSampler', shuffle=False))
    return loader_cfg


def tsne(features: np.ndarray, perplexity: float = 30.0, seed: int = 0,
         max_iter: int = 1000, **kwargs) -> np.ndarray:
    """``(N, D)`` -> ``(N, n_components)`` t-SNE embedding (sklearn);
    ``kwargs``: ``n_components``, ``early_exaggeration``, ``learning_rate``,
    ``n_iter_without_progress``, ``init``."""
    from sklearn.manifold import TSNE
    perplexity = min(perplexity, max(1.0, (len(features) - 1) / 3))
    options = dict(n_components=2, init='random', learning_rate=200.0,
                   early_exaggeration=12.0)
    options.update(kwargs)
    if options['n_components'] > 3:
        options['method'] = 'exact'  # Barnes-Hut embeds in 2-3 dims only
    return TSNE(perplexity=perplexity, max_iter=max(250, max_iter),
                random_state=seed, **options).fit_transform(features)


def plot(embedding: np.ndarray, labels: np.ndarray, title: str,
         out: str) -> None:
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(6, 6))
    sc = ax.scatter(embedding[:, 0], embedding[:, 1], c=labels, s=4,
                    cmap='tab10' if labels.max() < 10 else 'tab20')
    ax.legend(*sc.legend_elements(), fontsize=6, loc='best', markerscale=0.6)
    ax.set_title(title)
    ax.set_xticks([])
    ax.set_yticks([])
    fig.tight_layout()
    fig.savefig(out, dpi=120)
    plt.close(fig)


def parse_args(argv=None):
    from mmengine.config import DictAction
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='config with the model (and, without '
                        '--ann-file, extract_dataloader)')
    parser.add_argument('--checkpoint', default=None,
                        help='training checkpoint or extracted backbone; '
                        'omitted: random initialisation')
    parser.add_argument('--work-dir', help='results go to '
                        'WORK_DIR/tsne_<timestamp>/ (MMSelfSup layout)')
    parser.add_argument('--out-dir', help='results go to this folder')
    parser.add_argument('--layer-ind', default=None,
                        help='ResNet levels, comma-separated, 0 (stem) .. 4 '
                        '(last stage), e.g. "0,1,2,3,4"')
    parser.add_argument('--features', nargs='+', default=None,
                        help='the same as names, e.g. feat4 feat5 '
                        '(default: feat5)')
    parser.add_argument('--vis-stage', default='backbone',
                        choices=['backbone', 'neck', 'pre_logits'])
    parser.add_argument('--data-root', default=None)
    parser.add_argument('--ann-file', default=None,
                        help='"path label" list, relative to --data-root, '
                        'instead of the config\'s data')
    parser.add_argument('--img-size', type=int, default=224,
                        help='image side for --ann-file lists')
    parser.add_argument('--max-num-class', type=int, default=20)
    parser.add_argument('--max-samples', type=int, default=None,
                        help='draw at most this many samples (default: 1000 '
                        'for --ann-file lists, all otherwise)')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--deterministic', action='store_true')
    parser.add_argument('--device', default=None,
                        help='default: cuda if available, else cpu')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    parser.add_argument('--n-components', type=int, default=2)
    parser.add_argument('--perplexity', type=float, default=30.0)
    parser.add_argument('--early-exaggeration', type=float, default=12.0)
    parser.add_argument('--learning-rate', type=float, default=200.0)
    parser.add_argument('--n-iter', '--max-iter', dest='n_iter', type=int,
                        default=1000, help='t-SNE iterations (>= 250)')
    parser.add_argument('--n-iter-without-progress', type=int, default=300)
    parser.add_argument('--init', default='random', choices=['random', 'pca'])
    return parser.parse_args(argv)


def output_dir(cfg, args) -> str:
    if args.out_dir:
        return args.out_dir
    work_dir = args.work_dir or cfg.get('work_dir') or osp.join(
        'work_dirs', 'tsne', osp.splitext(osp.basename(args.config))[0])
    return osp.join(work_dir, time.strftime('tsne_%Y%m%d_%H%M%S'))


def main(argv=None) -> Dict[str, str]:
    args = parse_args(argv)
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    import mmssl_ext  # noqa: F401
    from mmssl_ext.evaluation.feature_extractor import (
        build_model_for_extraction, dataset_labels, extract_features)
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    init_default_scope(cfg.get('default_scope', 'mmpretrain'))
    if args.deterministic:
        torch.backends.cudnn.deterministic = True
        torch.backends.cudnn.benchmark = False
    layers = parse_layers(args)
    model = build_model_for_extraction(
        cfg, args.checkpoint, args.seed,
        layers=None if layers[0] in ('neck', 'pre_logits') else layers)
    feat_fn = None
    if layers == ['pre_logits']:
        if type(model).__name__ != 'ImageClassifier':
            raise ValueError(f'--vis-stage pre_logits needs an '
                             f'ImageClassifier config; {type(model).__name__}'
                             f' has no pre_logits: use backbone or neck.')
        feat_fn = lambda x: model.extract_feat(  # noqa: E731
            x, stage='pre_logits').flatten(1)
    device = args.device or ('cuda' if torch.cuda.is_available() else 'cpu')
    model = model.to(device)
    loader = build_dataset(cfg, args)
    from mmengine.runner import Runner
    loader = Runner.build_dataloader(loader, seed=args.seed)
    labels = dataset_labels(loader.dataset).numpy()
    feats = extract_features(model, loader, layers, feat_fn=feat_fn)
    if not isinstance(feats, list):
        feats = [feats]
    out_dir = output_dir(cfg, args)
    os.makedirs(out_dir, exist_ok=True)
    written = {}
    source = osp.basename(args.checkpoint) if args.checkpoint else 'random'
    for name, f in zip(layers, feats):
        emb = tsne(f.numpy(), args.perplexity, args.seed, args.n_iter,
                   n_components=args.n_components,
                   early_exaggeration=args.early_exaggeration,
                   learning_rate=args.learning_rate,
                   n_iter_without_progress=args.n_iter_without_progress,
                   init=args.init)
        png = osp.join(out_dir, f'tsne_{name}.png')
        plot(emb, labels, f'{source} {name}', png)
        np.savez(osp.join(out_dir, f'tsne_{name}.npz'), embedding=emb,
                 labels=labels)
        written[name] = png
        print(f'{name}: {f.shape[1]}-d features of {len(labels)} images '
              f'-> {png}')
    return written


if __name__ == '__main__':
    main()
