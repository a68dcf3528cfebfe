"""VOC07 SVM / low-shot SVM benchmark of a pretrained backbone.

Extracts features of the chosen layers (feat1 = stem before max-pool,
feat2-feat5 = ResNet stages; each average-pooled with MMSelfSup's fixed
kernels to 12/6/4/3/2 at 224 px) for the train and test images, sharded over
the processes when started by ``torch.distributed.run``; rank 0 then trains
per-class linear SVMs (cost by 3-fold cross-validation over MMSelfSup's 19
costs) and reports AP with difficult images excluded, and optionally the
low-shot protocol (k positives and (C-1)*k negatives per class; drawn here,
or read from the reference's sample files with ``--low-shot-dir``).

Images are decoded with PIL, resized (PIL bilinear) to short side 256 and
then to 224 x 224, as MMSelfSup's ``configs/benchmarks/classification/
svm_voc07.py``. ``--img-size S`` below 224 (CPU-sized runs) resizes once to
S x S and needs ``--pool-type adaptive`` with ``--pool-sizes``.

Data: ``--voc-root data/VOCdevkit/VOC2007`` (trainval / test), or any
multi-label list pair ``--train-ann/--test-ann`` (``path c1 c2 d7`` lines, see
:func:`mmssl_ext.evaluation.functional.read_multilabel_file`).

    python benchmarks/classification/svm_voc07/svm_voc07.py SELFSUP_CONFIG \
        --checkpoint PRETRAIN --features feat5 --voc-root data/VOCdevkit/VOC2007

Use the shell wrappers dist_test_svm_pretrain.sh / dist_test_svm_epoch.sh.
"""
import argparse
import json
import os
import os.path as osp
import time

import numpy as np
import torch

import mmssl_ext  # noqa: F401
from mmssl_ext.evaluation.functional import (evaluate_svms, low_shot_svm,
                                             read_multilabel_file, read_voc07,
                                             train_svms_crossval)
from mmssl_ext.evaluation.functional.svm_voc07 import (
    DEFAULT_COSTS, LOW_SHOT_KS, LOW_SHOT_SAMPLES, read_low_shot_samples)
from mmssl_ext.evaluation.feature_extractor import (extract_features,
                                                    feature_backbone_cfg)
from mmssl_ext.models.backbones.resnet_feats import feat_indices
from mmssl_ext.models.necks.multi_pooling import (RESNET50_POOL_PARAMS,
                                                  RESNET50_POOL_SIZES)
from mmssl_ext.models.utils.backbone_checkpoint import load_backbone


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('config', help='the (self-supervised) training config')
    p.add_argument('--checkpoint', default=None,
                   help='pretrained checkpoint or extracted backbone; '
                   'omitted = random init')
    p.add_argument('--features', nargs='+', default=['feat5'],
                   help='layers, e.g. feat5 or feat1 feat2 feat3 feat4 feat5')
    p.add_argument('--voc-root', default=None)
    p.add_argument('--train-ann', default=None)
    p.add_argument('--test-ann', default=None)
    p.add_argument('--data-root', default='')
    p.add_argument('--num-classes', type=int, default=None)
    p.add_argument('--img-size', type=int, default=224)
    p.add_argument('--pool-type', choices=('specified', 'adaptive'),
                   default='specified',
                   help="'specified' (default): MMSelfSup's fixed AvgPool2d "
                   "kernels for ResNet-50 at 224 px; 'adaptive': adaptive "
                   'average pooling to --pool-sizes (other sizes)')
    p.add_argument('--pool-sizes', type=int, nargs=5,
                   default=RESNET50_POOL_SIZES,
                   help='pooled side of feat1..feat5 (default 12 6 4 3 2)')
    p.add_argument('--costs', type=float, nargs='+', default=DEFAULT_COSTS,
                   help="SVM costs (default: MMSelfSup's 1, 10, 100 and "
                   '2^-4 ... 2^-19)')
    p.add_argument('--low-shot', action='store_true',
                   help='also run the low-shot protocol')
    p.add_argument('--low-shot-dir', default=None,
                   help='folder of reference low-shot sample files '
                   '(train_targets_sample{s}_k{k}.npy, e.g. '
                   'VOC2007/SVMLabels/low_shot/labels); default: draw them')
    p.add_argument('--low-shot-ks', type=int, nargs='+', default=LOW_SHOT_KS)
    p.add_argument('--low-shot-samples', type=int, default=LOW_SHOT_SAMPLES)
    p.add_argument('--max-train', type=int, default=None,
                   help='subsample the training images (reduced runs)')
    p.add_argument('--batch-size', type=int, default=32)
    p.add_argument('--n-jobs', type=int, default=1)
    p.add_argument('--work-dir', default=None)
    return p.parse_args(argv)


class _ImageList(torch.utils.data.Dataset):

    def __init__(self, paths, pipeline):
        self.paths, self.pipeline = paths, pipeline

    def __len__(self):
        return len(self.paths)

    def __getitem__(self, i):
        return self.pipeline(dict(img_path=self.paths[i]))


def pipeline_cfgs(img_size: int = 224) -> list:
    """Transforms of the SVM feature extraction.

    224 px (default) is MMSelfSup's pipeline: PIL decoding, PIL-bilinear
    resize of the short side to 256 (long side truncated, as torchvision's
    ``Resize(256)``), then resize to 224 x 224 (no crop). Other sizes S >= 224
    use short side ``S * 256 // 224`` then S x S; below 224 one resize to
    S x S.
    """
    resize = dict(backend='pillow', interpolation='bilinear')
    if img_size >= 224:
        steps = [dict(type='ResizeEdge', scale=img_size * 256 // 224,
                      edge='short', **resize),
                 dict(type='Resize', scale=(img_size, img_size), **resize)]
    else:
        steps = [dict(type='Resize', scale=(img_size, img_size), **resize)]
    return [dict(type='LoadImageFromFile', imdecode_backend='pillow'),
            *steps, dict(type='PackInputs')]


def build_pipeline(img_size: int):
    from mmcv.transforms import Compose
    from mmpretrain.registry import TRANSFORMS
    return Compose([TRANSFORMS.build(c) for c in pipeline_cfgs(img_size)])


def build_feature_model(cfg, checkpoint, features, pool_sizes,
                        pool_type='specified'):
    """Backbone (as ResNetFeats) + MultiPooling + the config's preprocessor.

    The checkpoint must cover every backbone tensor (checked, not warned).
    """
    from mmpretrain.registry import MODELS
    indices = feat_indices(features)
    backbone = MODELS.build(feature_backbone_cfg(cfg.model.backbone,
                                                 features))
    pre_cfg = cfg.model.get('data_preprocessor') or cfg.get(
        'data_preprocessor') or dict(type='SelfSupDataPreprocessor')
    pre_cfg = dict(pre_cfg)
    pre_cfg.pop('num_classes', None)
    if pre_cfg.get('type') in (None, 'ClsDataPreprocessor'):
        pre_cfg['type'] = 'SelfSupDataPreprocessor'
    preprocessor = MODELS.build(pre_cfg)
    if checkpoint:
        # a whole pretraining checkpoint or an extracted backbone with its
        # ``backbone.`` prefix; every backbone tensor must be there
        load_backbone(backbone, checkpoint, allow_bare=False,
                      data_preprocessor=preprocessor)
    levels = indices if len(indices) else (4, )
    neck_cfg = dict(type='MultiPooling', pool_type=pool_type,
                    pool_sizes=[pool_sizes[i] for i in levels])
    if pool_type == 'specified':
        if tuple(pool_sizes) != RESNET50_POOL_SIZES:
            raise ValueError(
                f'--pool-sizes {list(pool_sizes)} differ from the sizes of '
                f"MMSelfSup's fixed kernels {list(RESNET50_POOL_SIZES)}: add "
                f'--pool-type adaptive.')
        neck_cfg['pool_params'] = [RESNET50_POOL_PARAMS[i] for i in levels]
    neck = MODELS.build(neck_cfg)
    return torch.nn.ModuleDict(dict(
        backbone=backbone, neck=neck,
        data_preprocessor=preprocessor)).eval()


def extract(model, paths, pipeline, batch_size, features):
    """Features of ``paths`` as ``{name: (N, D) float32}`` on rank 0 (None
    elsewhere), sharded over the ranks
    (:func:`mmssl_ext.evaluation.feature_extractor.extract_features`)."""
    from mmengine.dataset import DefaultSampler, default_collate
    dataset = _ImageList(paths, pipeline)
    loader = torch.utils.data.DataLoader(
        dataset, batch_size=batch_size,
        sampler=DefaultSampler(dataset, shuffle=False, round_up=False),
        num_workers=2 if torch.cuda.is_available() else 0,
        collate_fn=default_collate)
    feats = extract_features(
        model, loader,
        feat_fn=lambda x: tuple(model.neck(model.backbone(x))))
    if feats is None:
        return None
    return {f: v.numpy() for f, v in zip(features, feats)}


def load_data(args):
    if args.voc_root:
        tr_paths, tr_labels = read_voc07(args.voc_root, 'trainval')
        te_paths, te_labels = read_voc07(args.voc_root, 'test')
    elif args.train_ann and args.test_ann:
        tr_paths, tr_labels = read_multilabel_file(
            args.train_ann, args.data_root, args.num_classes)
        te_paths, te_labels = read_multilabel_file(
            args.test_ann, args.data_root, tr_labels.shape[1])
    else:
        raise ValueError('Give --voc-root (VOCdevkit/VOC2007) or both '
                         '--train-ann and --test-ann.')
    if args.max_train and args.low_shot_dir:
        raise ValueError('--max-train subsamples the training images, so the '
                         'rows of the --low-shot-dir files no longer match: '
                         'use one of the two.')
    if args.max_train and args.max_train < len(tr_paths):
        keep = np.random.default_rng(0).choice(
            len(tr_paths), args.max_train, replace=False)
        keep.sort()
        tr_paths = [tr_paths[i] for i in keep]
        tr_labels = tr_labels[keep]
    return tr_paths, tr_labels, te_paths, te_labels


def main(argv=None):
    args = parse_args(argv)
    from mmengine.config import Config
    from mmengine.dist import get_dist_info
    from mmengine.registry import init_default_scope
    if 'RANK' in os.environ and not torch.distributed.is_initialized():
        backend = 'nccl' if torch.cuda.is_available() else 'gloo'
        torch.distributed.init_process_group(backend)
        if torch.cuda.is_available():
            torch.cuda.set_device(int(os.environ.get('LOCAL_RANK', 0)))
    rank, _ = get_dist_info()
    feat_indices(args.features)  # validate names early
    cfg = Config.fromfile(args.config)
    init_default_scope(cfg.get('default_scope', 'mmpretrain'))
    model = build_feature_model(cfg, args.checkpoint, args.features,
                                args.pool_sizes, args.pool_type)
    if torch.cuda.is_available():
        model = model.cuda()
    tr_paths, tr_labels, te_paths, te_labels = load_data(args)
    samples = None
    if args.low_shot and args.low_shot_dir:
        # read (and check) before the slow extraction
        samples = read_low_shot_samples(args.low_shot_dir, tr_labels,
                                        args.low_shot_ks,
                                        args.low_shot_samples)
    pipeline = build_pipeline(args.img_size)
    t0 = time.perf_counter()
    train_feats = extract(model, tr_paths, pipeline, args.batch_size,
                          args.features)
    test_feats = extract(model, te_paths, pipeline, args.batch_size,
                         args.features)
    t_extract = time.perf_counter() - t0
    if rank != 0:
        return None
    results = dict(extract_s=t_extract, features={})
    print(f'Extracted {len(tr_paths)} train / {len(te_paths)} test images '
          f'in {t_extract:.1f}s')
    print(f'{"layer":<7}{"dim":>7}{"mAP":>8}{"svm_s":>8}')
    for f in args.features:
        t0 = time.perf_counter()
        svm = train_svms_crossval(train_feats[f], tr_labels, args.costs,
                                  n_jobs=args.n_jobs)
        aps, mAP = evaluate_svms(svm, test_feats[f], te_labels)
        took = time.perf_counter() - t0
        entry = dict(dim=int(train_feats[f].shape[1]), mAP=mAP,
                     ap=aps.tolist(), cost=svm['cost'].tolist(), svm_s=took)
        print(f'{f:<7}{entry["dim"]:>7}{mAP:>8.2f}{took:>8.1f}')
        if args.low_shot:
            report = low_shot_svm(train_feats[f], tr_labels, test_feats[f],
                                  te_labels, args.low_shot_ks,
                                  args.low_shot_samples, args.costs,
                                  n_jobs=args.n_jobs, samples=samples)
            entry['low_shot'] = [{k: v for k, v in r.items() if k != 'map'}
                                 for r in report]
            print('  low-shot  ' + '  '.join(
                f'k={r["k"]}: {r["mean"]:.2f}+-{r["std"]:.2f}'
                for r in report))
        results['features'][f] = entry
    if args.work_dir:
        os.makedirs(args.work_dir, exist_ok=True)
        out = osp.join(args.work_dir, 'svm_voc07_results.json')
        with open(out, 'w') as fh:
            json.dump(results, fh, indent=1)
        print(f'Results written to {out}')
    return results


if __name__ == '__main__':
    main()
