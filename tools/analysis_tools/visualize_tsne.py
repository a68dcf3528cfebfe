"""t-SNE of backbone features, from a full checkpoint or an extracted backbone.

mmpretrain's ``tools/visualization/vis_tsne.py`` needs a full model config and
checkpoint. This tool takes the config of the pretraining run (for the
backbone architecture and the data preprocessor) and either a training
checkpoint or a file from ``extract_backbone_weights.py`` (with or without
the ``backbone.`` prefix), features of one or more levels (feat1-feat5 for a
ResNet, global-average-pooled), and a labelled image list::

    python tools/analysis_tools/visualize_tsne.py CONFIG \
        --checkpoint backbone.pth --data-root data/fashion_mnist \
        --ann-file meta/test.txt --features feat4 feat5 --max-samples 1000 \
        --out-dir work_dirs/tsne

Writes ``tsne_<feat>.png`` (points coloured by label) and
``tsne_<feat>.npz`` (``embedding``, ``labels``) per feature.
"""
import argparse
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch


def load_backbone_state(path: str) -> Dict[str, torch.Tensor]:
    """Backbone tensors of a checkpoint, without the ``backbone.`` prefix."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'Checkpoint {path!r} does not exist.')
    from mmssl_ext.compat.checkpoint import load_checkpoint_file
    ckpt = load_checkpoint_file(path, map_location='cpu')
    state = ckpt.get('state_dict', ckpt) if isinstance(ckpt, dict) else None
    if not isinstance(state, dict) or not state:
        raise ValueError(f'{path!r} holds no state dict.')
    prefixed = {k[len('backbone.'):]: v for k, v in state.items()
                if k.startswith('backbone.')}
    if prefixed:
        return prefixed
    tops = sorted({k.split('.', 1)[0] for k in state})
    if any(t in ('neck', 'head', 'target_net', 'momentum_encoder')
           for t in tops):
        raise ValueError(
            f'{path!r} has no "backbone." keys (top-level modules: {tops}): '
            f'pass a checkpoint with a backbone or an extracted backbone.')
    return dict(state)   # extracted with --strip-prefix


def read_labelled_list(data_root: str, ann_file: str,
                       max_samples: Optional[int], seed: int = 0):
    path = osp.join(data_root, ann_file)
    if not osp.isfile(path):
        raise FileNotFoundError(f'Annotation file {path!r} does not exist: '
                                f'pass a "path label" list.')
    items = []
    with open(path) as f:
        for line in f:
            if line.strip():
                p, label = line.strip().rsplit(maxsplit=1)
                items.append((osp.join(data_root, p), int(label)))
    if max_samples and len(items) > max_samples:
        keep = np.sort(np.random.default_rng(seed).choice(
            len(items), max_samples, replace=False))
        items = [items[i] for i in keep]
    return [p for p, _ in items], np.array([lb for _, lb in items])


def build_backbone(cfg, features: Sequence[str],
                   state: Dict[str, torch.Tensor]) -> torch.nn.Module:
    """The config's backbone (as ResNetFeats for feat1-feat4), loaded and
    checked: every tensor must come from ``state``."""
    from mmpretrain.registry import MODELS

    from mmssl_ext.models.backbones.resnet_feats import feat_indices
    indices = feat_indices(features)
    bcfg = dict(cfg.model.backbone)
    bcfg.pop('init_cfg', None)
    if bcfg['type'] in ('ResNet', 'ResNetFeats'):
        bcfg.update(type='ResNetFeats', out_indices=indices)
    elif list(features) != ['feat5']:
        raise ValueError(f'Features {list(features)} need a ResNet backbone; '
                         f'{bcfg["type"]} supports only "feat5".')
    backbone = MODELS.build(bcfg)
    missing, _ = backbone.load_state_dict(state, strict=False)
    missing = [k for k in missing if not k.endswith('num_batches_tracked')]
    if missing:
        raise ValueError(
            f'The checkpoint misses {len(missing)} tensors of the config\'s '
            f'backbone ({missing[:5]}): use the config the backbone was '
            f'trained with.')
    backbone.eval()
    return backbone


@torch.no_grad()
def extract(cfg, backbone, paths: List[str], img_size: int,
            batch_size: int = 64) -> List[np.ndarray]:
    from mmcv.transforms import Compose
    from mmengine.dataset import default_collate
    from mmpretrain.registry import MODELS, TRANSFORMS
    pipeline = Compose([TRANSFORMS.build(t) for t in (
        dict(type='LoadImageFromFile'),
        dict(type='Resize', scale=(img_size, img_size)),
        dict(type='PackInputs'))])
    pre_cfg = dict(cfg.model.get('data_preprocessor') or cfg.get(
        'data_preprocessor') or {})
    pre_cfg.pop('num_classes', None)
    if pre_cfg.get('type') in (None, 'ClsDataPreprocessor'):
        pre_cfg['type'] = 'SelfSupDataPreprocessor'
    pre = MODELS.build(pre_cfg)
    outs = None
    for i in range(0, len(paths), batch_size):
        batch = default_collate(
            [pipeline(dict(img_path=p)) for p in paths[i:i + batch_size]])
        inputs = pre(batch, False)['inputs']
        if isinstance(inputs, list):
            inputs = inputs[0]
        feats = [f.mean(dim=(2, 3)) if f.dim() == 4 else f
                 for f in backbone(inputs)]
        outs = [[] for _ in feats] if outs is None else outs
        for acc, f in zip(outs, feats):
            acc.append(f.numpy())
    return [np.concatenate(o) for o in outs]


def tsne(features: np.ndarray, perplexity: float = 30.0, seed: int = 0,
         max_iter: int = 1000) -> np.ndarray:
    """``(N, D)`` -> ``(N, 2)`` t-SNE embedding (sklearn)."""
    from sklearn.manifold import TSNE
    perplexity = min(perplexity, max(1.0, (len(features) - 1) / 3))
    return TSNE(n_components=2, perplexity=perplexity, init='pca',
                max_iter=max(250, max_iter),
                random_state=seed).fit_transform(features)


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


def main(argv=None) -> Dict[str, str]:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='pretraining config (architecture)')
    parser.add_argument('--checkpoint', required=True,
                        help='training checkpoint or extracted backbone')
    parser.add_argument('--data-root', required=True)
    parser.add_argument('--ann-file', required=True,
                        help='"path label" list, relative to --data-root')
    parser.add_argument('--features', nargs='+', default=['feat5'])
    parser.add_argument('--max-samples', type=int, default=1000)
    parser.add_argument('--img-size', type=int, default=224)
    parser.add_argument('--perplexity', type=float, default=30.0)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--max-iter', type=int, default=1000,
                        help='t-SNE iterations (>= 250)')
    parser.add_argument('--out-dir', default='work_dirs/tsne')
    args = parser.parse_args(argv)

    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    import mmssl_ext  # noqa: F401
    cfg = Config.fromfile(args.config)
    init_default_scope(cfg.get('default_scope', 'mmpretrain'))
    backbone = build_backbone(cfg, args.features,
                              load_backbone_state(args.checkpoint))
    paths, labels = read_labelled_list(args.data_root, args.ann_file,
                                       args.max_samples, args.seed)
    feats = extract(cfg, backbone, paths, args.img_size)
    os.makedirs(args.out_dir, exist_ok=True)
    written = {}
    for name, f in zip(args.features, feats):
        emb = tsne(f, args.perplexity, args.seed, args.max_iter)
        png = osp.join(args.out_dir, f'tsne_{name}.png')
        plot(emb, labels, f'{osp.basename(args.checkpoint)} {name}', png)
        np.savez(osp.join(args.out_dir, f'tsne_{name}.npz'), embedding=emb,
                 labels=labels)
        written[name] = png
        print(f'{name}: {f.shape[1]}-d features of {len(labels)} images '
              f'-> {png}')
    return written


if __name__ == '__main__':
    main()
