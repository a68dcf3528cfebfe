"""Translate an MMSelfSup 0.x or 1.x config into an mmpretrain + mmssl_ext
config.

    python tools/misc/migrate_mmselfsup_config.py OLD.py NEW.py [--check]

The old config is parsed with its ``_base_`` chain (mmengine's ``Config``
reads both the mmcv-1 style of 0.x and the mmengine style of 1.x; bases must
be files, ``mmselfsup::`` bases need MMSelfSup installed). The new file is
one self-contained config on ``mmpretrain::_base_/default_runtime.py`` with
``custom_imports=['mmssl_ext']``. Every rename of README's "From MMSelfSup"
table is applied, and the conventions that train differently if copied
literally are converted:

* EMA momentum: MMSelfSup's ``momentum`` / ``base_momentum`` is tau (the
  weight of the old target); mmpretrain's is ``1 - tau``. With gradient
  accumulation (``optimizer_config.update_interval = k``) MMSelfSup moved the
  target once per optimizer step; mmpretrain moves it every forward, so the
  per-forward tau becomes ``tau ** (1 / k)`` (k moves towards the same online
  weights equal one move with tau). The same holds for 0.x's
  ``MomentumUpdateHook(update_interval=k)``, which moved BYOL's target
  every k iterations.
* 0.x ``img_norm_cfg`` (for 0-1 RGB tensors) becomes the data preprocessor's
  mean / std x 255 with ``to_rgb=True`` (images are decoded as BGR);
  ``RandomGrayscale(p)`` keeps 3 channels with luma weights in BGR order;
  ``GaussianBlur(sigma_min, sigma_max, p)`` becomes mmpretrain's
  ``GaussianBlur(magnitude_range, magnitude_std='inf', prob)``.
* ``paramwise_options`` keys are regular expressions applied to every
  parameter (all matches, later ones win); mmengine's ``custom_keys`` are
  substrings (the longest match wins). The regexes are evaluated on the
  parameter names of the translated model (built once, memory banks shrunk)
  and turned into substrings that select exactly the same parameters, which
  is checked before the result is written.
* mmcv-1's warmup multiplies a schedule that spans the whole run; the
  translation keeps the main scheduler on ``[0, end)`` and runs the warmup
  scheduler on top of it (mmengine schedulers compose multiplicatively).
  The one difference left: mmengine's ``LinearLR`` reaches the full lr at
  the warmup's last iteration, mmcv-1 one iteration later (a relative lr
  difference of at most ``1 / warmup_iters`` during the warmup).

What has no translation is listed with its key and ``file:line`` (on
stderr and as comments at the top of the new file, which is written
anyway); with ``--check`` the exit status is 1 when anything is left.
"""
import argparse
import ast
import copy
import inspect
import os.path as osp
import re
import sys
from typing import Any, Dict, List, Optional, Tuple

# Luma weights of torchvision's RandomGrayscale (0.x), in BGR order: images
# are decoded as BGR and turned into RGB by the data preprocessor.
LUMA_BGR = (0.114, 0.587, 0.2989)
LUMA_RGB = (0.2989, 0.587, 0.114)
SCOPES = ('mmselfsup.', 'mmcls.', 'mmpretrain.')

# algorithm type renames (after the scope is dropped)
MODEL_TYPES = {'MoCoV1': 'MoCo', 'MoCoV2': 'MoCo',
               'Classification': 'ImageClassifier'}
# algorithms whose EMA momentum argument is MMSelfSup's tau
TAU_ARGS = {'MoCo': 'momentum', 'DenseCL': 'momentum', 'BYOL': 'base_momentum',
            'MoCoV3': 'base_momentum'}
# mmpretrain algorithms whose EMA anneals by itself (CosineEMA)
BUILTIN_COSINE_EMA = ('BYOL', 'MoCoV3')
# 0.x heads without their loss -> the loss mmpretrain's head needs
HEAD_LOSSES = {
    'ContrastiveHead': dict(type='CrossEntropyLoss'),
    'LatentPredictHead': dict(type='CosineSimilarityLoss'),
    'MAEPretrainHead': dict(type='PixelReconstructionLoss', criterion='L2'),
    'SimMIMHead': dict(type='PixelReconstructionLoss', criterion='L1',
                       channel=3),
}
NECK_TYPES = {'AvgPool2dNeck': 'GlobalAveragePooling'}
RESNETS = ('ResNet', 'ResNetV1c', 'ResNetV1d', 'ResNeXt', 'ResNet_CIFAR')
# mmpretrain PackInputs' default meta keys
PACK_META_KEYS = ('sample_idx', 'img_path', 'ori_shape', 'img_shape',
                  'scale_factor', 'flip', 'flip_direction')
SVM_NOTE = ('the VOC07 SVM benchmark takes its images from the command '
            'line: python benchmarks/classification/svm_voc07/svm_voc07.py '
            'CONFIG --checkpoint CKPT --voc-root data/VOCdevkit/VOC2007')
# top-level helper variables of MMSelfSup configs (their values are already
# substituted where the config uses them)
HELPER_VARIABLES = ('data_source', 'dataset_type', 'img_norm_cfg', 'prefetch',
                    'num_classes', 'update_interval', 'data_root',
                    'file_client_args', 'split_at', 'split_name', 'custom_scope',
                    'vis_backends', 'optimizer')
# 0.x / 1.x runtime keys that simply carry over
SAME_KEYS = ('log_level', 'auto_scale_lr', 'randomness', 'launcher',
             'work_dir', 'model_wrapper_cfg', 'log_processor', 'val_cfg',
             'test_cfg', 'val_evaluator', 'test_evaluator')


def drop_scope(name: str) -> str:
    for scope in SCOPES:
        if name.startswith(scope):
            return name[len(scope):]
    return name


def strip_scopes(obj):
    """A copy with every ``type='mmcls.X'`` / ``'mmselfsup.X'`` -> ``'X'``."""
    if isinstance(obj, dict):
        out = {k: strip_scopes(v) for k, v in obj.items()}
        if isinstance(out.get('type'), str):
            out['type'] = drop_scope(out['type'])
        return out
    if isinstance(obj, (list, tuple)):
        return type(obj)(strip_scopes(v) for v in obj)
    return obj


# --------------------------------------------------------------- sources
def base_files(path: str) -> List[str]:
    """``path`` and every file of its ``_base_`` chain (own file first)."""
    files, todo = [], [osp.abspath(path)]
    while todo:
        current = todo.pop(0)
        if current in files or not osp.isfile(current):
            continue
        files.append(current)
        with open(current, encoding='utf-8') as f:
            try:
                tree = ast.parse(f.read())
            except SyntaxError:
                continue
        for node in tree.body:
            if (isinstance(node, ast.Assign) and len(node.targets) == 1
                    and getattr(node.targets[0], 'id', None) == '_base_'):
                try:
                    value = ast.literal_eval(node.value)
                except ValueError:
                    continue
                for base in [value] if isinstance(value, str) else value:
                    if '::' not in base:
                        todo.append(osp.normpath(
                            osp.join(osp.dirname(current), base)))
    return files


def load_config(path: str) -> Dict[str, Any]:
    """The resolved config as a plain dict."""
    from mmengine.config import Config
    try:
        cfg = Config.fromfile(path)
    except (FileNotFoundError, ModuleNotFoundError, KeyError) as err:
        raise ValueError(
            f'cannot resolve the _base_ chain of {path}: {err}. Bases are '
            f'read as files; a `mmselfsup::` or `mmcls::` base needs that '
            f'package: copy the base file next to the config and refer to '
            f'it by a relative path.') from err
    return cfg.to_dict()


# ------------------------------------------------------------- migration
class Migration:
    """Translate one resolved config (a dict); see the module docstring.

    Args:
        src (dict): the resolved MMSelfSup config.
        files (list[str]): the config file and its bases, for line numbers.
    """

    def __init__(self, src: Dict[str, Any], files: List[str] = ()) -> None:
        self.src = copy.deepcopy(src)
        self.files = list(files)
        self._lines = {}
        for path in self.files:
            with open(path, encoding='utf-8') as f:
                self._lines[path] = f.read().splitlines()
        self.out: Dict[str, Any] = {}
        self.problems: List[Tuple[str, str, str]] = []
        self.notes: List[Tuple[str, str]] = []
        self.helpers: List[str] = []  # dropped helper variables
        self.norm: Optional[Tuple[list, list]] = None
        self.rgb_arrays = False  # CIFAR sources give RGB arrays, not files
        self.model_type = drop_scope(
            str((self.src.get('model') or {}).get('type', '')))
        self.model_type = MODEL_TYPES.get(self.model_type, self.model_type)
        optimizer_config = self.src.get('optimizer_config') or {}
        self.accumulate = int(optimizer_config.get('update_interval', 1)
                              or 1)
        # 0.x BYOL / MoCoV3: MomentumUpdateHook moved the target every
        # update_interval iterations; mmpretrain moves it every forward
        self.ema_interval = 1
        for hook in self.src.get('custom_hooks') or []:
            if drop_scope(str(hook.get('type'))) in ('MomentumUpdateHook',
                                                     'BYOLHook'):
                self.ema_interval = int(hook.get('update_interval', 1) or 1)

    # ---------------------------------------------------------- reporting
    def where(self, key: str) -> str:
        """``file:line`` of the (last) key of a dotted path, own file first."""
        leaf = re.escape(key.split('.')[-1].split('[')[0])
        pattern = re.compile(rf'(^|[\s,(]){leaf}\s*=(?!=)|[\'"]{leaf}[\'"]\s*:'
                             rf'|type\s*=\s*[\'"]{leaf}[\'"]')
        for path in self.files:
            for number, line in enumerate(self._lines[path], 1):
                if pattern.search(line.split('#')[0]):
                    return f'{path}:{number}'
        return self.files[0] if self.files else '?'

    def problem(self, key: str, message: str, line_key: str = None) -> None:
        self.problems.append((key, self.where(line_key or key), message))

    def note(self, key: str, message: str) -> None:
        self.notes.append((key, message))

    # -------------------------------------------------------------- main
    def run(self) -> Dict[str, Any]:
        src = self.src
        handled = set()

        def take(key):
            handled.add(key)
            return src.get(key)

        take('_base_')
        self.out['custom_imports'] = self._custom_imports(
            take('custom_imports'))
        self.out['default_scope'] = 'mmpretrain'
        if take('default_scope') not in (None, 'mmselfsup', 'mmpretrain',
                                          'mmcls'):
            self.problem('default_scope', 'unknown scope')
        # data first: it fixes the normalisation the model needs
        data = take('data')
        if data is not None:
            self._data(data, src.get('persistent_workers', True),
                       take('evaluation'))
        take('persistent_workers')
        if 'model' not in src:  # 1.x data configs of the benchmarks
            self._data_config(take)
        for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
            if key in src and key not in handled:
                self.out[key] = self._dataloader(take(key), key)
        for key in [k for k in src if k.endswith('_dataloader')
                    and k not in handled]:
            self.out[key] = self._dataloader(take(key), key)
        if self.model_type == 'DeepCluster' and 'train_dataloader' in src:
            # labels change every epoch: workers must see them
            self.out['train_dataloader']['persistent_workers'] = False
        if 'model' in src:
            self.out['model'] = self._model(take('model'))
        if 'data_preprocessor' in src:  # 1.x top-level preprocessor
            self.out['data_preprocessor'] = strip_scopes(
                take('data_preprocessor'))
        self._optim(take('optimizer'), take('optimizer_config'),
                    take('fp16'), take('optim_wrapper'))
        self._schedule(take('lr_config'), take('momentum_config'),
                       take('param_scheduler'), take('runner'),
                       take('total_epochs'), take('train_cfg'))
        self._runtime(take('checkpoint_config'), take('log_config'),
                      take('default_hooks'))
        self._env(take('dist_params'), take('cudnn_benchmark'),
                  take('opencv_num_threads'), take('mp_start_method'),
                  take('env_cfg'))
        self._resume(take('resume_from'), take('load_from'), take('resume'))
        workflow = take('workflow')
        if workflow not in (None, [('train', 1)], [['train', 1]]):
            self.problem('workflow', f'{workflow}: mmengine runs validation '
                         'through val_cfg / val_interval, not a workflow')
        self._hooks(take('custom_hooks'))
        visualizer = take('visualizer')
        if visualizer is not None:
            visualizer = strip_scopes(visualizer)
            if visualizer.get('type') == 'SelfSupVisualizer':
                visualizer['type'] = 'UniversalVisualizer'
            self.out['visualizer'] = visualizer
        for key in SAME_KEYS:
            loader = key.replace('_cfg', '_dataloader')
            if key in src and (src[key] != {} or loader in self.out):
                self.out[key] = strip_scopes(take(key))
            handled.add(key)  # 0.x benchmarks: test_cfg = {} (unused)
        # knn data configs (0.x knn_imagenet.py): what test_knn.py reads
        if 'knn_train_dataloader' in self.out:
            self.out.setdefault('knn', dict(ks=[10, 20, 100, 200],
                                            temperature=0.07))
        if 'model' not in self.out and self.norm is not None:
            self.out['data_preprocessor'] = dict(
                type='SelfSupDataPreprocessor', mean=self.norm[0],
                std=self.norm[1], to_rgb=not self.rgb_arrays)
        for key, value in src.items():
            if key in handled or key in self.out:
                continue
            if key in HELPER_VARIABLES or 'pipeline' in key or \
                    not isinstance(value, (dict, list)):
                self.helpers.append(key)
            else:
                self.problem(key, 'unknown top-level key')
        # the list the hooks' warning uses: none of its keys may survive
        from mmssl_ext.utils.legacy_config import legacy_runtime_keys
        for left in legacy_runtime_keys(self.out):
            self.problem(left.split(' ')[0].split('.')[0],
                         f'MMSelfSup 0.x runtime key left untranslated: {left}')
        return self.out

    # ------------------------------------------------------------- pieces
    @staticmethod
    def _custom_imports(value) -> dict:
        imports = ['mmssl_ext']
        if value:
            for name in value.get('imports', []):
                if name.split('.')[0] not in ('mmselfsup', 'mmcls',
                                              'mmssl_ext'):
                    imports.append(name)
        return dict(imports=imports, allow_failed_imports=False)

    # .............................................................. data
    def _data_config(self, take) -> None:
        """1.x ``knn_imagenet.py`` / ``svm_voc07.py``: the dataloaders our
        kNN tool reads; SVM data comes from svm_voc07.py's command line."""
        src = self.src
        if 'train_dataloader' in src:
            self.out['knn_train_dataloader'] = self._dataloader(
                take('train_dataloader'), 'train_dataloader')
        for key in ('val_dataloader', 'test_dataloader'):
            if key in src and 'knn_test_dataloader' not in self.out:
                self.out['knn_test_dataloader'] = self._dataloader(
                    take(key), key)
        if 'extract_dataloader' in src:
            take('extract_dataloader')
            self.note('extract_dataloader', SVM_NOTE)
        if take('pool_cfg') is not None:
            self.note('pool_cfg', 'pooling is an option of the tools: '
                      'test_knn.py --layer, svm_voc07.py --features / '
                      '--pool-type')

    def _data(self, data: dict, persistent: bool, evaluation) -> None:
        data = dict(data)
        batch = data.pop('imgs_per_gpu', data.pop('samples_per_gpu', None))
        data.pop('samples_per_gpu', None)
        workers = data.pop('workers_per_gpu', 2)
        drop_last = data.pop('drop_last', None)
        replace = data.pop('replace', None)
        replace = data.pop('sampling_replace', None) or replace
        if batch is None:
            self.problem('data', 'neither samples_per_gpu nor imgs_per_gpu')
            batch = 32
        has_model = 'model' in self.src
        supervised = self.model_type == 'ImageClassifier' or not has_model

        def loader(split, shuffle, key):
            out = dict(batch_size=batch, num_workers=workers)
            if workers and persistent:
                out['persistent_workers'] = True
            elif not workers:
                # mmpretrain's tools/train.py (mim train) defaults to
                # persistent workers, which torch refuses without workers
                out['persistent_workers'] = False
            if shuffle and drop_last is not None:
                out['drop_last'] = drop_last
            out['sampler'] = dict(type='DefaultSampler', shuffle=shuffle)
            out['collate_fn'] = dict(type='default_collate')
            out['dataset'] = self._dataset(split, f'data.{key}', supervised)
            return out

        if 'train' in data:
            train = data.pop('train')
            if has_model:
                out = loader(train, True, 'train')
                self._adapt_train_loader(out, replace)
                self.out['train_dataloader'] = out
            else:  # a kNN data config: both splits in order
                self.out['knn_train_dataloader'] = loader(train, False,
                                                          'train')
        for split in ('val', 'test'):
            if split not in data:
                continue
            cfg = data.pop(split)
            if not has_model:  # kNN: the val split is classified
                self.out['knn_test_dataloader'] = loader(cfg, False, split)
            elif evaluation is not None:
                self.out[f'{split}_dataloader'] = loader(cfg, False, split)
                evaluation = dict(evaluation)
                topk = tuple(evaluation.pop('topk', (1, )))
                self.out[f'{split}_evaluator'] = dict(type='Accuracy',
                                                      topk=topk)
                self.out[f'{split}_cfg'] = dict()
                self._val_interval = evaluation.pop('interval', 1)
            else:
                self.note(f'data.{split}', 'not used by MMSelfSup without '
                          'an `evaluation` key either; dropped')
        if 'extract' in data:
            data.pop('extract')
            self.note('data.extract', SVM_NOTE)
        for key in data:
            self.problem(f'data.{key}', 'unknown data key', key)

    def _adapt_train_loader(self, loader: dict, replace) -> None:
        """Per-algorithm dataset wrapper and sampler (our conventions)."""
        hooks = [h for h in self.src.get('custom_hooks') or []
                 if drop_scope(h.get('type', '')) == 'DeepClusterHook']
        unif = any(h.get('unif_sampling', h.get('balanced_sampling'))
                   for h in hooks)
        if self.model_type == 'DeepCluster':
            loader['dataset'] = dict(type='PseudoLabelDataset',
                                     dataset=loader['dataset'])
            # labels change every epoch: workers must see them
            loader['persistent_workers'] = False
        if unif or replace:
            loader['sampler'] = dict(type='ClusterBalancedSampler')
            if replace:
                loader['sampler']['replace'] = True

    def _dataloader(self, loader: dict, key: str) -> dict:
        """A 1.x dataloader: scopes, dataset and pipelines."""
        loader = strip_scopes(loader)
        sampler = loader.get('sampler') or {}
        if sampler.get('type') == 'DeepClusterSampler':
            loader['sampler'] = dict(type='ClusterBalancedSampler',
                                     replace=sampler.get('replace', False))
        if 'dataset' in loader:
            loader['dataset'] = self._dataset(loader['dataset'],
                                              f'{key}.dataset', False)
        return loader

    def _dataset(self, ds: dict, key: str, supervised: bool) -> dict:
        ds = strip_scopes(dict(ds))
        kind = ds.pop('type', None)
        ds.pop('prefetch', None)
        if 'data_source' in ds:  # 0.x wrapper around a data source
            source = ds.pop('data_source')
            out = self._source(source, f'{key}.data_source', supervised)
            load = [] if self.rgb_arrays else [dict(type='LoadImageFromFile')]
            if kind == 'MultiViewDataset':
                views = [self._pipeline(p, f'{key}.pipelines')
                         for p in ds.pop('pipelines')]
                num_views = ds.pop('num_views')
                pipeline = load + [dict(type='MultiView',
                                        num_views=num_views,
                                        transforms=views)]
            else:
                pipeline = load + self._pipeline(ds.pop('pipeline', []),
                                                  f'{key}.pipeline')
                pipeline += self._pipeline(ds.pop('format_pipeline', []),
                                           f'{key}.format_pipeline')
            pack = dict(type='PackInputs')
            if kind == 'RotationPredDataset':
                pipeline.append(dict(type='RotationViews'))
                pack['algorithm_keys'] = ['rot_label']
            elif kind == 'RelativeLocDataset':
                pipeline = self._relative_loc(pipeline)
                pack['algorithm_keys'] = ['patch_label']
            elif kind not in ('SingleViewDataset', 'MultiViewDataset',
                              'DeepClusterDataset'):
                self.problem(key, f'unknown 0.x dataset type {kind!r}',
                             'dataset_type')
            out['pipeline'] = pipeline + [pack]
            for extra in ds:
                self.problem(f'{key}.{extra}', 'unknown dataset key', extra)
            return out
        # 1.x dataset (mmengine style)
        if kind == 'DeepClusterImageNet':
            inner = dict(ds, type='ImageNet')
            inner['pipeline'] = self._pipeline(ds.get('pipeline', []),
                                               f'{key}.pipeline')
            if self.model_type == 'ODC':  # ODC keeps labels in its memory
                return inner
            return dict(type='PseudoLabelDataset', dataset=inner)
        ds['type'] = kind
        if 'pipeline' in ds:
            ds['pipeline'] = self._pipeline(ds['pipeline'], f'{key}.pipeline')
        if 'dataset' in ds:  # wrappers (RepeatDataset, ...)
            ds['dataset'] = self._dataset(ds['dataset'], f'{key}.dataset',
                                          supervised)
        return ds

    def _source(self, source: dict, key: str, supervised: bool) -> dict:
        source = dict(source)
        kind = source.pop('type')
        prefix = source.pop('data_prefix', '')
        ann = source.pop('ann_file', None)
        test_mode = source.pop('test_mode', False)
        source.pop('color_type', None)
        source.pop('file_client_args', None)
        if kind in ('CIFAR10', 'CIFAR100'):
            self.rgb_arrays = True
            out = dict(type=kind, data_root=prefix,
                       split='test' if test_mode else 'train')
        elif kind in ('ImageNet', 'ImageNet21k') and ann:
            out = dict(type='ImageNet', data_root='', data_prefix=prefix,
                       ann_file=ann)
        elif kind in ('ImageNet', 'ImageList'):
            # ImageList: 'path [label]' lines; ImageNet without an
            # annotation file: class subfolders
            with_label = supervised
            if ann:
                with_label = self._list_has_labels(ann, key)
            out = dict(type='CustomDataset', data_root='',
                       data_prefix=prefix, with_label=with_label)
            if ann:
                out['ann_file'] = ann
        else:
            self.problem(key, f'unknown data source {kind!r}', 'data_source')
            out = dict(type=kind, data_prefix=prefix)
        for extra in source:
            self.problem(f'{key}.{extra}', 'unknown data source key', extra)
        return out

    def _list_has_labels(self, ann: str, key: str) -> bool:
        """0.x ImageList: labels when the lines have two fields; read from
        the file when it exists here, else assumed."""
        if osp.isfile(ann):
            with open(ann, encoding='utf-8') as f:
                first = f.readline().split()
            return len(first) == 2
        self.note(f'{key}.ann_file', f'{ann} not found here: assumed to '
                  "hold 'path label' lines (with_label=True); set "
                  'with_label=False for a list of paths only')
        return True

    @staticmethod
    def _relative_loc(pipeline: list) -> list:
        """0.x cut the 3x3 grid out of a RandomCrop: fold the crop into
        RelativeLocPatches (photometric transforms after it commute)."""
        photometric = ('RandomGrayscale', 'ColorJitter', 'RandomApply')
        crop_size = None
        for i in range(len(pipeline) - 1, -1, -1):
            step = pipeline[i]
            if step['type'] == 'RandomCrop' and isinstance(
                    step.get('crop_size'), int) and not step.get('padding'):
                crop_size = step['crop_size']
                del pipeline[i]
                break
            if step['type'] not in photometric:
                break
        # 0.x: cells of crop // 3 px, patches 21 px smaller (jitter)
        patches = dict(type='RelativeLocPatches', patch_size=64)
        if crop_size:
            patches.update(patch_size=crop_size // 3 - 21,
                           crop_size=crop_size)
        return pipeline + [patches]

    # ........................................................... pipeline
    def _set_norm(self, mean, std, key: str, scale: float) -> None:
        norm = ([round(m * scale, 6) for m in mean],
                [round(s * scale, 6) for s in std])
        if self.norm is not None and self.norm != norm:
            self.problem(key, f'a second normalisation {norm} differs from '
                         f'{self.norm}: one data preprocessor serves all '
                         'pipelines', 'Normalize')
        self.norm = norm

    def _pipeline(self, steps, key: str) -> list:
        out = []
        for i, step in enumerate(steps or []):
            out.extend(self._transform(strip_scopes(dict(step)),
                                       f'{key}[{i}]'))
        for i, step in enumerate(out):
            if step.pop('_fold', False):  # 1.x RandomPatchWithLabels
                out = self._relative_loc(out[:i]) + out[i + 1:]
                break
        return out

    def _transform(self, t: dict, key: str) -> list:  # noqa: C901
        kind = t.pop('type')
        gray = LUMA_RGB if self.rgb_arrays else LUMA_BGR
        if kind in ('ToTensor', 'ImageToTensor', 'Collect'):
            return []
        if kind == 'Normalize':  # 0.x: 0-1 RGB tensors
            self._set_norm(t.pop('mean'), t.pop('std'), key, 255.)
            return []
        if kind == 'RandomResizedCrop':
            if 'size' in t:  # torchvision names (0.x, MMSelfSup 1.x)
                out = dict(type=kind, scale=t.pop('size'))
                if 'scale' in t:
                    out['crop_ratio_range'] = tuple(t.pop('scale'))
                if 'ratio' in t:
                    out['aspect_ratio_range'] = tuple(t.pop('ratio'))
            else:
                out = dict(type=kind, scale=t.pop('scale'))
            interp = t.pop('interpolation', None)
            out.update(t)
            if interp is not None:
                out['interpolation'] = PIL_INTERP.get(interp, interp)
            out.setdefault('backend', 'pillow')
            return [out]
        if kind in ('RandomHorizontalFlip', 'RandomVerticalFlip'):
            return [dict(type='RandomFlip', prob=t.pop('p', 0.5),
                         direction='horizontal' if 'Horiz' in kind
                         else 'vertical')]
        if kind == 'RandomAppliedTrans':
            return [dict(type='RandomApply',
                         transforms=self._pipeline(t.pop('transforms'),
                                                   f'{key}.transforms'),
                         prob=t.pop('p', 0.5))]
        if kind == 'RandomApply':
            t['transforms'] = self._pipeline(t['transforms'],
                                             f'{key}.transforms')
            return [dict(type=kind, **t)]
        if kind == 'RandomGrayscale':
            if 'p' in t or not t:  # torchvision semantics: 3 equal channels
                return [dict(type=kind, prob=t.pop('p', 0.1),
                             keep_channels=True, channel_weights=gray)]
            return [dict(type=kind, **t)]
        if kind == 'GaussianBlur' and 'sigma_min' in t:
            return [dict(type='GaussianBlur',
                         magnitude_range=(t.pop('sigma_min'),
                                          t.pop('sigma_max')),
                         magnitude_std='inf', prob=t.pop('p', 0.5))]
        if kind == 'RandomGaussianBlur':  # MMSelfSup 1.x
            return [dict(type='GaussianBlur',
                         magnitude_range=(t.pop('sigma_min'),
                                          t.pop('sigma_max')),
                         magnitude_std='inf', prob=t.pop('prob', 0.5))]
        if kind in ('Solarization', 'RandomSolarize'):
            return [dict(type='Solarize', thr=t.pop('threshold', 128),
                         prob=t.pop('p', t.pop('prob', 0.5)))]
        if kind == 'Lighting':  # 0.x: on 0-1 RGB tensors
            eigval = [v * 255. for v in t.pop('eigval', IMAGENET_EIGVAL)]
            eigvec = [list(r) for r in t.pop('eigvec', IMAGENET_EIGVEC)]
            if not self.rgb_arrays:
                eigvec = eigvec[::-1]  # rows are channels: RGB -> BGR
            return [dict(type='Lighting', eigval=eigval, eigvec=eigvec,
                         alphastd=t.pop('alphastd', 0.1), to_rgb=False)]
        if kind == 'RandomAug':
            return self._random_aug(t, key)
        if kind in ('Resize', 'CenterCrop', 'RandomCrop') and 'size' in t:
            size = t.pop('size')
            if kind == 'Resize':
                if isinstance(size, int):
                    out = dict(type='ResizeEdge', scale=size, edge='short')
                else:  # torchvision (h, w)
                    out = dict(type='Resize', scale=(size[1], size[0]))
                interp = t.pop('interpolation', None)
                if interp is not None:
                    out['interpolation'] = PIL_INTERP.get(interp, interp)
                out['backend'] = 'pillow'
            else:
                out = dict(type=kind, crop_size=size)
                if 'padding' in t:
                    out['padding'] = t.pop('padding')
            out.update(t)
            return [out]
        if kind == 'RandomRotationWithLabels':
            return [dict(type='RotationViews')]
        if kind == 'RandomPatchWithLabels':  # sized in _pipeline
            return [dict(type='RelativeLocPatches', _fold=True)]
        if kind in ('PackSelfSupInputs', 'PackClsInputs'):
            out = dict(type='PackInputs')
            keys = list(t.pop('algorithm_keys', []))
            # PackInputs keeps sample_idx itself; patch_box is unused
            keys = [k for k in keys if k not in ('patch_box', 'sample_idx')]
            if keys:
                out['algorithm_keys'] = keys
            meta = list(t.pop('meta_keys', []))
            if not set(meta) <= set(PACK_META_KEYS):
                # mmpretrain's default keeps sample_idx (memory rows)
                out['meta_keys'] = list(PACK_META_KEYS) + [
                    k for k in meta if k not in PACK_META_KEYS]
            return [out]
        if kind == 'LoadImageFromFile':
            args = t.pop('file_client_args', None)
            out = dict(type=kind, **t)
            if args and args.get('backend', 'disk') != 'disk':
                out['backend_args'] = args
            return [out]
        if kind == 'MultiView':
            t['transforms'] = [self._pipeline(p, f'{key}.transforms')
                               for p in t['transforms']]
            return [dict(type=kind, **t)]
        if kind in KNOWN_TRANSFORMS:
            return [dict(type=kind, **t)]
        self.problem(key, f'transform {kind!r} has no known translation',
                     kind)
        return [dict(type=kind, **t)]

    def _random_aug(self, t: dict, key: str) -> list:
        """0.x RandomAug (timm's create_transform) -> mmpretrain's MAE
        fine-tuning pipeline."""
        size = t.pop('input_size', 224)
        interp = t.pop('interpolation', 'bicubic')
        out = [dict(type='RandomResizedCrop', scale=size, backend='pillow',
                    interpolation=interp),
               dict(type='RandomFlip', prob=0.5, direction='horizontal')]
        jitter = t.pop('color_jitter', None)
        if jitter:
            out.append(dict(type='ColorJitter', brightness=jitter,
                            contrast=jitter, saturation=jitter))
        policy = t.pop('auto_augment', None)
        if policy:
            match = re.fullmatch(r'rand-m(\d+)(-n\d+)?-mstd([\d.]+)(-inc1)?',
                                 policy)
            if match is None:
                self.problem(key, f'auto_augment={policy!r}: only '
                             "'rand-mM-mstdS[-inc1]' is translated",
                             'auto_augment')
            else:
                out.append(dict(
                    type='RandAugment',
                    policies='timm_increasing' if match.group(4) else
                    'timm',
                    num_policies=int(match.group(2)[2:]) if match.group(2)
                    else 2,
                    total_level=10, magnitude_level=int(match.group(1)),
                    magnitude_std=float(match.group(3)),
                    hparams=dict(pad_val=[104, 116, 124],
                                 interpolation=interp)))
        mean, std = t.pop('mean', None), t.pop('std', None)
        if mean is not None:
            self._set_norm(mean, std, key, 255.)
        prob = t.pop('re_prob', 0)
        if t.pop('re_count', 1) != 1:
            self.problem(key, 're_count != 1 has no mmpretrain counterpart',
                         're_count')
        mode = t.pop('re_mode', 'const')
        if prob:
            norm = self.norm or ([123.675, 116.28, 103.53],
                                 [58.395, 57.12, 57.375])
            out.append(dict(type='RandomErasing', erase_prob=prob,
                            mode='rand' if mode == 'pixel' else mode,
                            min_area_ratio=0.02, max_area_ratio=1 / 3,
                            fill_color=norm[0][::-1],
                            fill_std=norm[1][::-1]))
        for extra in t:
            self.problem(f'{key}.{extra}', 'unknown RandomAug argument', extra)
        return out

    # ............................................................. model
    def _model(self, model: dict) -> dict:  # noqa: C901
        model = strip_scopes(copy.deepcopy(model))
        model['type'] = self.model_type
        old_scope_cls = {}
        for part in ('backbone', 'neck', 'head'):
            cfg = self.src['model'].get(part)
            if isinstance(cfg, dict):
                old_scope_cls[part] = str(cfg.get('type', '')).startswith(
                    ('mmcls.', 'mmpretrain.'))
        # EMA momentum: tau -> 1 - tau (per forward with accumulation)
        arg = TAU_ARGS.get(self.model_type)
        if arg and arg in model:
            tau = float(model[arg])
            k = self.ema_interval
            per_forward = tau ** (1.0 / k)
            model[arg] = round(1.0 - per_forward, 12)
            self.note(f'model.{arg}', f"MMSelfSup's tau={tau} -> "
                      f"mmpretrain's 1 - tau = {model[arg]}" +
                      (f' (tau ** (1 / {k}) per forward: MMSelfSup moved '
                       f'the target once every {k} iterations)'
                       if k > 1 else ''))
        sobel = model.pop('with_sobel', False)
        backbone = model.get('backbone')
        if isinstance(backbone, dict):
            self._backbone(backbone, old_scope_cls.get('backbone', False))
            if sobel:
                backbone['in_channels'] = 2
        neck = model.get('neck')
        if isinstance(neck, dict):
            self._neck(neck)
        head = model.get('head')
        if isinstance(head, dict):
            model['head'] = self._head(head, model)
            if model['head'].pop('_gap', False) and 'neck' not in model:
                model['neck'] = dict(type='GlobalAveragePooling')
                order = ('type', 'backbone', 'neck', 'head')
                model = dict([(k, model[k]) for k in order] +
                             [(k, v) for k, v in model.items()
                              if k not in order])
        memory = model.get('memory_bank')
        if isinstance(memory, dict):
            memory.pop('debug', None)
        # data preprocessor: from the 0.x Normalize, or 1.x's own
        pre = model.get('data_preprocessor')
        if pre is None and self.norm is not None:
            pre = dict(type=self._preprocessor_type(sobel),
                       mean=self.norm[0], std=self.norm[1],
                       to_rgb=not self.rgb_arrays)
            if self.model_type == 'ImageClassifier':
                head = model.get('head', {})
                if 'num_classes' in head:
                    pre['num_classes'] = head['num_classes']
        elif pre is not None:
            pre = strip_scopes(pre)
            pre.setdefault('type', self._preprocessor_type(sobel))
            if sobel:
                pre['type'] = 'SobelDataPreprocessor'
        elif sobel:
            pre = dict(type='SobelDataPreprocessor')
        if pre is not None:
            model['data_preprocessor'] = pre
        if model.pop('pretrained', None):
            self.problem('model.pretrained', 'use model.backbone.init_cfg='
                         "dict(type='Pretrained', checkpoint=PATH, "
                         "prefix='backbone.') (the launchers translate "
                         '--cfg-options model.pretrained=PATH)', 'pretrained')
        return model

    def _preprocessor_type(self, sobel: bool) -> str:
        if sobel:
            return 'SobelDataPreprocessor'
        return {'RelativeLoc': 'RelativeLocDataPreprocessor',
                'RotationPred': 'RotationPredDataPreprocessor',
                'ImageClassifier': 'ClsDataPreprocessor'}.get(
                    self.model_type, 'SelfSupDataPreprocessor')

    def _backbone(self, backbone: dict, mmcls_semantics: bool) -> None:
        if backbone.get('type') in RESNETS and not mmcls_semantics:
            indices = backbone.get('out_indices')
            if indices is not None:
                # MMSelfSup's ResNet: 0 = stem, 1..4 = stages
                if 0 in indices:
                    self.problem('model.backbone.out_indices',
                                 'index 0 (the stem) has no counterpart in '
                                 "mmpretrain's ResNet: use "
                                 "type='ResNetFeats' for feat1", 'out_indices')
                backbone['out_indices'] = type(indices)(
                    i - 1 for i in indices if i > 0)

    def _neck(self, neck: dict) -> None:
        neck['type'] = NECK_TYPES.get(neck['type'], neck['type'])
        if neck['type'] == 'GlobalAveragePooling':
            for key in list(neck):
                if key != 'type':
                    neck.pop(key)
        elif neck['type'] == 'LinearNeck' and 'with_avg_pool' in neck:
            # 0.x: Linear without norm, optional average pooling first
            neck['gap_dim'] = 2 if neck.pop('with_avg_pool') else 0
            neck.setdefault('norm_cfg', None)

    def _head(self, head: dict, model: dict) -> dict:
        kind = head['type']
        if kind == 'ClsHead' and self.model_type in ('DeepCluster', 'ODC'):
            return dict(type='ClusterHead', in_channels=head['in_channels'],
                        num_classes=head['num_classes'],
                        **({'with_avg_pool': True}
                           if head.get('with_avg_pool') else {}))
        if kind == 'ClsHead' and self.model_type in ('RelativeLoc',
                                                     'RotationPred'):
            out = dict(type='PretextClsHead',
                       in_channels=head['in_channels'],
                       num_classes=head['num_classes'],
                       with_avg_pool=head.get('with_avg_pool', False),
                       loss=dict(type='CrossEntropyLoss'))
            if 'init_cfg' in head:
                out['init_cfg'] = head['init_cfg']
            return out
        if kind == 'ClsHead' and self.model_type == 'ImageClassifier':
            out = dict(type='LinearClsHead', num_classes=head['num_classes'],
                       in_channels=head['in_channels'],
                       loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
                       _gap=head.get('with_avg_pool', False))
            topk = (self.src.get('evaluation') or {}).get('topk')
            if topk:
                out['topk'] = tuple(topk)
            if 'init_cfg' in head:
                out['init_cfg'] = head['init_cfg']
            return out
        if kind == 'ClsHead':
            self.problem('model.head', f'ClsHead of {self.model_type} has no '
                         'known translation', 'ClsHead')
        if kind in HEAD_LOSSES and 'loss' not in head:
            head['loss'] = dict(HEAD_LOSSES[kind])
        if kind == 'LatentPredictHead' and isinstance(
                head.get('predictor'), dict):
            self._neck(head['predictor'])
        if kind == 'MultiClsHead':
            self.problem('model.head', 'MultiClsHead: use our '
                         'configs/benchmarks/classification/_base_/'
                         'mhead_resnet50.py (feat1-feat5 heads with '
                         "MMSelfSup's pooling)", 'MultiClsHead')
        return head

    # ......................................................... optimizer
    def _optim(self, optimizer, optimizer_config, fp16, optim_wrapper):
        if optim_wrapper is not None:  # 1.x
            wrapper = strip_scopes(optim_wrapper)
            self.out['optim_wrapper'] = wrapper
            return
        if optimizer is None:
            return
        optimizer = strip_scopes(dict(optimizer))
        paramwise = optimizer.pop('paramwise_options', None)
        wrapper = dict(type='OptimWrapper', optimizer=optimizer)
        optimizer_config = dict(optimizer_config or {})
        hook_type = optimizer_config.pop('type', None)
        loss_scale = optimizer_config.pop('loss_scale', None)
        if fp16 is not None or (hook_type or '').startswith('Fp16'):
            wrapper['type'] = 'AmpOptimWrapper'
            loss_scale = (fp16 or {}).get('loss_scale', loss_scale)
            if loss_scale is not None:
                wrapper['loss_scale'] = loss_scale
        if optimizer_config.pop('use_fp16', False):
            wrapper['type'] = 'AmpOptimWrapper'
        if optimizer_config.pop('update_interval', 1) not in (1, None):
            wrapper['accumulative_counts'] = self.accumulate
        clip = optimizer_config.pop('grad_clip', None)
        if clip:
            wrapper['clip_grad'] = dict(clip)
        for key in ('coalesce', 'bucket_size_mb', 'cumulative_iters',
                    'detect_anomalous_params'):
            if key in optimizer_config:
                value = optimizer_config.pop(key)
                if key == 'cumulative_iters' and value not in (1, None):
                    wrapper['accumulative_counts'] = value
                elif key not in ('coalesce', 'bucket_size_mb'):
                    self.problem(f'optimizer_config.{key}', 'not translated',
                                 key)
        for key in optimizer_config:
            self.problem(f'optimizer_config.{key}', 'unknown key', key)
        if paramwise:
            custom = self._custom_keys(paramwise, optimizer)
            if custom is not None:
                wrapper['paramwise_cfg'] = dict(custom_keys=custom)
        self.out['optim_wrapper'] = wrapper

    def _param_names(self) -> List[str]:
        """Trainable parameter names of the translated model (banks
        shrunk: their buffers are not parameters)."""
        import mmssl_ext  # noqa: F401
        from mmengine.registry import init_default_scope
        from mmpretrain.registry import MODELS
        init_default_scope('mmpretrain')
        cfg = copy.deepcopy(self.out['model'])
        memory = cfg.get('memory_bank')
        if isinstance(memory, dict):
            memory['length'] = max(int(memory.get('num_classes', 1)), 1)
        cfg.get('backbone', {}).pop('init_cfg', None)
        model = MODELS.build(cfg)
        return [name for name, p in model.named_parameters()
                if p.requires_grad]

    def _custom_keys(self, paramwise: dict, optimizer: dict):
        """0.x regex ``paramwise_options`` -> substring ``custom_keys``
        selecting exactly the same parameters with the same options."""
        if 'model' not in self.out:
            self.problem('optimizer.paramwise_options', 'no model to match '
                         'the regexes against', 'paramwise_options')
            return None
        try:
            names = self._param_names()
        except Exception as err:  # the model cannot be built: say so
            self.problem('optimizer.paramwise_options', f'the translated '
                         f'model does not build ({err}); regexes not '
                         'translated', 'paramwise_options')
            return None
        # what 0.x gave every parameter: all matching regexes, in order
        wanted: Dict[str, dict] = {}
        for name in names:
            options = {}
            for regex, opts in paramwise.items():
                if re.search(regex, name):
                    for key, value in opts.items():
                        if key.endswith('_mult'):
                            key = key[:-5]
                            value = optimizer[key] * value
                        options[key] = value
            wanted[name] = options
        for regex in paramwise:
            if not any(re.search(regex, n) for n in names):
                self.note('optimizer.paramwise_options',
                          f'regex {regex!r} matches no parameter of the '
                          'translated model')
        custom = {}
        groups: Dict[tuple, List[str]] = {}
        for name, options in wanted.items():
            if options:
                groups.setdefault(tuple(sorted(options.items())),
                                  []).append(name)
        for options, members in groups.items():
            entry = self._mults(dict(options), optimizer)
            for key in cover(members, names, wanted):
                custom[key] = entry
        got = simulate_custom_keys(custom, names, optimizer)
        expected = {n: self._effective(o, optimizer)
                    for n, o in wanted.items()}
        if got != expected:
            bad = [n for n in names if got[n] != expected[n]][:3]
            self.problem('optimizer.paramwise_options', 'no exact substring '
                         f'translation (e.g. {bad})', 'paramwise_options')
            return None
        return custom

    @staticmethod
    def _mults(options: dict, optimizer: dict) -> dict:
        """Absolute lr / weight_decay -> mmengine's multipliers."""
        out = {}
        for key, value in options.items():
            base = optimizer.get(key)
            if key in ('lr', 'weight_decay') and base:
                out[f'{"decay" if key == "weight_decay" else "lr"}_mult'] = \
                    round(value / base, 12)
            else:
                out[key] = value
        return out

    @staticmethod
    def _effective(options: dict, optimizer: dict) -> dict:
        """The param-group settings a 0.x parameter got, in absolute
        values (lr / weight_decay always present)."""
        out = dict(options)
        out.setdefault('lr', optimizer.get('lr'))
        if optimizer.get('weight_decay') is not None:
            out.setdefault('weight_decay', optimizer['weight_decay'])
        return {k: (round(v, 12) if isinstance(v, float) else v)
                for k, v in out.items()}

    # .......................................................... schedule
    def _schedule(self, lr_config, momentum_config, param_scheduler, runner,
                  total_epochs, train_cfg):
        if train_cfg:  # 1.x
            self.out['train_cfg'] = strip_scopes(train_cfg)
        elif runner or total_epochs:
            runner = dict(runner or {})
            kind = runner.pop('type', 'EpochBasedRunner')
            if kind == 'IterBasedRunner':
                self.out['train_cfg'] = dict(type='IterBasedTrainLoop',
                                             max_iters=runner.pop(
                                                 'max_iters'))
            else:
                self.out['train_cfg'] = dict(
                    type='EpochBasedTrainLoop',
                    max_epochs=runner.pop('max_epochs', total_epochs))
            for key in runner:
                self.problem(f'runner.{key}', 'unknown runner key', key)
        interval = getattr(self, '_val_interval', None)
        if interval is not None and 'train_cfg' in self.out:
            self.out['train_cfg']['val_interval'] = interval
        if param_scheduler is not None:  # 1.x
            self.out['param_scheduler'] = strip_scopes(param_scheduler)
            return
        train = self.out.get('train_cfg') or {}
        by_epoch_run = 'max_epochs' in train
        length = train.get('max_epochs', train.get('max_iters'))
        schedulers = []
        if lr_config is not None:
            schedulers += self._policy(dict(lr_config), 'lr_config', 'LR',
                                       by_epoch_run, length)
        if momentum_config is not None:
            schedulers += self._policy(dict(momentum_config),
                                       'momentum_config', 'Momentum',
                                       by_epoch_run, length)
        if schedulers:
            self.out['param_scheduler'] = schedulers

    def _policy(self, cfg: dict, key: str, kind: str, by_epoch_run: bool,
                length) -> list:
        """One mmcv-1 LrUpdaterHook / MomentumUpdaterHook config ->
        mmengine schedulers. The main schedule spans the whole run and the
        warmup multiplies it (as mmcv-1's warmup did)."""
        policy = cfg.pop('policy')
        by_epoch = cfg.pop('by_epoch', True) and by_epoch_run
        warmup = cfg.pop('warmup', None)
        warmup_iters = cfg.pop('warmup_iters', 0)
        warmup_ratio = cfg.pop('warmup_ratio', 0.1)
        warmup_by_epoch = cfg.pop('warmup_by_epoch', False)
        out = []
        if warmup and kind == 'LR':
            if warmup_by_epoch:
                span = dict(by_epoch=True, begin=0, end=warmup_iters,
                            convert_to_iter_based=True)
            else:
                span = dict(by_epoch=False, begin=0, end=warmup_iters)
            if warmup == 'linear':
                out.append(dict(type='LinearLR', start_factor=warmup_ratio,
                                end_factor=1.0, **span))
            elif warmup == 'constant':
                out.append(dict(type='ConstantLR', factor=warmup_ratio,
                                **span))
            else:
                self.problem(f'{key}.warmup', f'warmup={warmup!r} has no '
                             'mmengine scheduler', 'warmup')
        elif warmup:
            self.problem(f'{key}.warmup', 'momentum warmup is not '
                         'translated', 'warmup')
        main = dict(by_epoch=by_epoch, begin=0)
        if length is not None and by_epoch == by_epoch_run:
            main['end'] = length
        if policy in ('step', 'Step'):
            step = cfg.pop('step')
            gamma = cfg.pop('gamma', 0.1)
            if isinstance(step, int):
                out.append(dict(type=f'Step{kind}', step_size=step,
                                gamma=gamma, **main))
            else:
                out.append(dict(type=f'MultiStep{kind}',
                                milestones=list(step), gamma=gamma, **main))
            if cfg.pop('min_lr', None) is not None:
                self.problem(f'{key}.min_lr', "mmcv-1's step min_lr clamp "
                             'has no mmengine counterpart', 'min_lr')
        elif policy in ('CosineAnnealing', 'cosine'):
            entry = dict(type=f'CosineAnnealing{kind}', T_max=length,
                         **main)
            if kind == 'Momentum':
                entry['eta_min'] = cfg.pop('min_momentum', 0.)
                if 'min_momentum_ratio' in cfg:
                    entry.pop('eta_min')
                    entry['eta_min_ratio'] = cfg.pop('min_momentum_ratio')
            elif 'min_lr_ratio' in cfg:
                entry['eta_min_ratio'] = cfg.pop('min_lr_ratio')
                cfg.pop('min_lr', None)
            else:
                entry['eta_min'] = cfg.pop('min_lr', 0.)
            if out and (entry.get('eta_min') or entry.get('eta_min_ratio')):
                self.note(f'{key}.min_lr', 'with a non-zero minimum the '
                          'warmup composes with the cosine approximately '
                          '(exactly for min_lr=0)')
            if not by_epoch and by_epoch_run:
                self.problem(f'{key}.by_epoch', 'per-iteration cosine in an '
                             'epoch-based run: set convert_to_iter_based',
                             'by_epoch')
            out.append(entry)
        elif policy == 'poly':
            # mmcv-1: (1 - k / K) ** power; mmengine's PolyLR divides by
            # end - begin - 1: one step more gives the same values
            if 'end' in main:
                main['end'] += 1
            out.append(dict(type=f'Poly{kind}', power=cfg.pop('power', 1.),
                            eta_min=cfg.pop('min_lr', 0.), **main))
        elif policy == 'fixed':
            pass
        else:
            self.problem(f'{key}.policy', f'policy={policy!r} is not '
                         'translated', 'policy')
            cfg.clear()
        for extra in cfg:
            self.problem(f'{key}.{extra}', 'not translated', extra)
        return out

    # ........................................................... runtime
    def _runtime(self, checkpoint_config, log_config, default_hooks):
        hooks = strip_scopes(default_hooks) if default_hooks else {}
        if checkpoint_config is not None:
            ckpt = dict(checkpoint_config)
            ckpt.pop('type', None)
            hooks['checkpoint'] = dict(type='CheckpointHook', **ckpt)
        if log_config is not None:
            log = dict(log_config)
            hooks['logger'] = dict(type='LoggerHook',
                                   interval=log.pop('interval', 50))
            backends = [dict(type='LocalVisBackend')]
            for hook in log.pop('hooks', []):
                kind = hook.get('type')
                if kind == 'TensorboardLoggerHook':
                    backends.append(dict(type='TensorboardVisBackend'))
                elif kind == 'WandbLoggerHook':
                    backends.append(dict(type='WandbVisBackend',
                                         init_kwargs=hook.get('init_kwargs',
                                                              {})))
                elif kind != 'TextLoggerHook':
                    self.problem('log_config.hooks', f'{kind} is not '
                                 'translated', kind)
            if len(backends) > 1:
                self.out['visualizer'] = dict(type='UniversalVisualizer',
                                              vis_backends=backends)
            for extra in log:
                self.problem(f'log_config.{extra}', 'not translated', extra)
        if hooks:
            self.out['default_hooks'] = hooks

    def _env(self, dist_params, cudnn_benchmark, opencv_threads, mp_method,
             env_cfg):
        env = strip_scopes(env_cfg) if env_cfg else {}
        if dist_params is not None:
            env['dist_cfg'] = dict(dist_params)
        if cudnn_benchmark is not None:
            env['cudnn_benchmark'] = cudnn_benchmark
        if opencv_threads is not None or mp_method is not None:
            mp = dict(env.get('mp_cfg') or {})
            if mp_method is not None:
                mp['mp_start_method'] = mp_method
            if opencv_threads is not None:
                mp['opencv_num_threads'] = opencv_threads
            env['mp_cfg'] = mp
        if env:
            self.out['env_cfg'] = env

    def _resume(self, resume_from, load_from, resume):
        if resume_from:
            self.out['load_from'] = resume_from
            self.out['resume'] = True
        elif load_from:
            self.out['load_from'] = load_from
        if resume is not None and not resume_from:
            self.out['resume'] = resume

    # ............................................................. hooks
    def _hooks(self, hooks) -> None:
        out = []
        if self.model_type == 'NPID':
            out.append(dict(type='MemoryBankCheckHook'))
        for i, hook in enumerate(hooks or []):
            hook = strip_scopes(dict(hook))
            kind = hook['type']
            key = f'custom_hooks[{i}]'
            if kind in ('MomentumUpdateHook', 'BYOLHook'):
                entry = self._momentum_hook(hook, key)
                if entry:
                    out.append(entry)
            elif kind == 'DeepClusterHook':
                out.append(self._deepcluster_hook(hook, key))
            elif kind == 'ODCHook':
                try:
                    out.append(self._hook_args(kind, hook))
                except TypeError as err:
                    self.problem(key, str(err), kind)
                    out.append(hook)
            elif kind in ('DenseCLHook', 'SimSiamHook', 'SwAVHook',
                          'MemoryBankCheckHook', 'SwAVQueueHook'):
                out.append(hook)
            else:
                self.problem(key, f'hook {kind!r} has no known translation',
                             kind)
                out.append(hook)
        if out:
            self.out['custom_hooks'] = out
        if self.model_type == 'ODC':
            # every rank keeps identical banks: no buffer re-broadcast
            self.out.setdefault('model_wrapper_cfg', dict(
                type='MMDistributedDataParallel', broadcast_buffers=False))

    def _momentum_hook(self, hook: dict, key: str) -> Optional[dict]:
        try:  # 0.x registered it as BYOLHook too
            args = self._hook_args('MomentumUpdateHook', hook)
        except TypeError as err:
            self.problem(key, str(err), 'MomentumUpdateHook')
            return hook
        args.pop('type')
        end = args.pop('end_tau', 1.)
        interval = args.pop('update_interval', 1)
        if interval not in (1, self.accumulate):
            self.problem(f'{key}.update_interval', f'{interval} differs from '
                         f'the gradient accumulation ({self.accumulate}): '
                         'mmpretrain moves the target every forward',
                         'update_interval')
        if self.model_type in BUILTIN_COSINE_EMA and end == 1.:
            self.note(key, f"dropped: mmpretrain's {self.model_type} anneals "
                      'tau to 1 by cosine itself (CosineEMA)')
            return None
        entry = dict(type='MomentumUpdateHook', end_tau=end, **args)
        if self.ema_interval > 1:
            entry['end_tau'] = round(end ** (1.0 / self.ema_interval), 12)
        if self.model_type in BUILTIN_COSINE_EMA:
            entry['take_over_builtin'] = True
        return entry

    @staticmethod
    def _hook_args(kind: str, hook: dict) -> dict:
        """A hook's arguments in our names, through the hook's own table of
        MMSelfSup names (``mmssl_ext.engine.hooks.mmselfsup_args``); raises
        TypeError / ValueError for what cannot be mapped."""
        import warnings

        import mmssl_ext  # noqa: F401
        from mmpretrain.registry import HOOKS
        from mmssl_ext.engine.hooks.mmselfsup_args import \
            translate_mmselfsup_args
        init = HOOKS.get(kind).__init__
        args = {k: v for k, v in hook.items() if k != 'type'}
        with warnings.catch_warnings():
            warnings.simplefilter('ignore', DeprecationWarning)
            args = translate_mmselfsup_args(
                kind, args, getattr(init, 'mmselfsup_aliases', {}))
        known = inspect.signature(init).parameters
        unknown = sorted(set(args) - set(known))
        if unknown:
            raise TypeError(f'{kind}: unknown arguments {unknown}')
        return dict(type=kind, **args)

    def _deepcluster_hook(self, hook: dict, key: str) -> dict:
        try:
            out = self._hook_args('DeepClusterHook', hook)
        except (TypeError, ValueError) as err:
            self.problem(key, str(err), 'DeepClusterHook')
            return hook
        loader = strip_scopes(dict(out.get('extract_dataloader') or {}))
        dataset = loader.get('dataset', {})
        if 'data_source' in dataset:  # 0.x dataset inside the extractor
            loader['dataset'] = self._dataset(
                dataset, f'{key}.extractor.dataset', False)
        elif dataset:  # 1.x dataloader
            loader = self._dataloader(loader, f'{key}.extract_dataloader')
            loader.pop('sampler', None)  # the hook sets its own
            if loader['dataset'].get('type') == 'PseudoLabelDataset':
                loader['dataset'] = loader['dataset']['dataset']
        out['extract_dataloader'] = loader
        if out.get('seed', 0) is None:
            out['seed'] = 0
        return out


PIL_INTERP = {0: 'nearest', 2: 'bilinear', 3: 'bicubic', 1: 'lanczos',
              4: 'box', 5: 'hamming'}
IMAGENET_EIGVAL = [0.2175, 0.0188, 0.0045]
IMAGENET_EIGVEC = [[-0.5675, 0.7192, 0.4009], [-0.5808, -0.0045, -0.8140],
                   [-0.5836, -0.6948, 0.4203]]
# mmpretrain / mmssl_ext transforms whose 1.x spelling is already right
KNOWN_TRANSFORMS = (
    'ColorJitter', 'RandomFlip', 'RandomResizedCrop', 'ResizeEdge', 'Resize',
    'CenterCrop', 'RandomCrop', 'GaussianBlur', 'Solarize', 'RandomRotation',
    'RotationViews', 'RelativeLocPatches', 'PackInputs', 'BEiTMaskGenerator',
    'SimMIMMaskGenerator', 'RandomResizedCropAndInterpolationWithTwoPic',
    'RandomErasing', 'RandAugment', 'TwoNormDataPreprocessor',
    'CleanCaption', 'Lighting', 'Pad')


def cover(members: List[str], names: List[str],
          wanted: Dict[str, dict]) -> List[str]:
    """Substrings that select exactly ``members`` among ``names``: greedy
    over the dotted pieces of the member names (shortest first at equal
    coverage), each piece only if every name containing it is a member."""
    group = set(members)
    candidates = set()
    for name in members:
        parts = name.split('.')
        for i in range(len(parts)):
            for j in range(i + 1, len(parts) + 1):
                piece = '.'.join(parts[i:j])
                candidates.add(piece)
                if j < len(parts):
                    candidates.add(piece + '.')
                if i > 0:
                    candidates.add('.' + piece)
    valid = {}
    for piece in candidates:
        hits = {n for n in names if piece in n}
        if hits and hits <= group:
            valid[piece] = hits
    keys, left = [], set(group)
    while left:
        def rank(piece):  # coverage, then module prefixes ('head.'), short
            prefix = piece.endswith('.') and all(
                n.startswith(piece) for n in valid[piece])
            return (len(valid[piece] & left), prefix, -len(piece), piece)

        best = max(valid, key=rank)
        if not valid[best] & left:
            break
        keys.append(best)
        left -= valid[best]
    return sorted(keys) + sorted(left)  # full names if nothing else fits


def simulate_custom_keys(custom: dict, names: List[str],
                         optimizer: dict) -> Dict[str, dict]:
    """The settings mmengine's DefaultOptimWrapperConstructor gives each
    parameter for ``custom_keys`` (longest matching key wins)."""
    keys = sorted(sorted(custom), key=len, reverse=True)
    base_lr, base_wd = optimizer.get('lr'), optimizer.get('weight_decay')
    out = {}
    for name in names:
        group = {'lr': base_lr}
        if base_wd is not None:
            group['weight_decay'] = base_wd
        for key in keys:
            if key in name:
                opts = custom[key]
                group['lr'] = base_lr * opts.get('lr_mult', 1.)
                if base_wd is not None:
                    group['weight_decay'] = base_wd * opts.get(
                        'decay_mult', 1.)
                group.update({k: v for k, v in opts.items()
                              if k not in ('lr_mult', 'decay_mult')})
                break
        out[name] = {k: (round(v, 12) if isinstance(v, float) else v)
                     for k, v in group.items()}
    return out


# ----------------------------------------------------------------- output
KEY_ORDER = ['custom_imports', 'default_scope', 'model', 'data_preprocessor',
             'train_dataloader', 'val_dataloader', 'val_evaluator',
             'test_dataloader', 'test_evaluator', 'knn_train_dataloader',
             'knn_test_dataloader', 'knn', 'optim_wrapper', 'param_scheduler',
             'train_cfg', 'val_cfg', 'test_cfg', 'custom_hooks',
             'default_hooks', 'model_wrapper_cfg']
def to_source(value) -> str:
    """Python source of a config value: ``dict(type=..., ...)`` with
    ``type`` first and the keys otherwise in their order."""
    if isinstance(value, dict):
        keys = sorted(value, key=lambda k: k != 'type')
        if all(isinstance(k, str) and k.isidentifier() for k in keys):
            return 'dict(' + ', '.join(f'{k}={to_source(value[k])}'
                                       for k in keys) + ')'
        return '{' + ', '.join(f'{k!r}: {to_source(value[k])}'
                               for k in keys) + '}'
    if isinstance(value, list):
        return '[' + ', '.join(to_source(v) for v in value) + ']'
    if isinstance(value, tuple):
        items = ', '.join(to_source(v) for v in value)
        return f'({items},)' if len(value) == 1 else f'({items})'
    return repr(value)


def render(out: Dict[str, Any], source: str, migration: Migration) -> str:
    """The new config file: notes and untranslated keys as comments, the
    mmpretrain runtime base, then the translated keys."""
    from yapf.yapflib.yapf_api import FormatCode
    lines = [f'# Migrated from {osp.basename(source)} by '
             'tools/misc/migrate_mmselfsup_config.py.']
    for key, message in migration.notes:
        lines.append(f'# note: {key}: {message}')
    if migration.helpers:
        lines.append('# note: helper variables dropped (their values are '
                     f'in place): {", ".join(migration.helpers)}')
    for key, where, message in migration.problems:
        lines.append(f'# UNTRANSLATED {key} ({where}): {message}')
    code = ["_base_ = 'mmpretrain::_base_/default_runtime.py'"]
    keys = sorted(out, key=lambda k: KEY_ORDER.index(k)
                  if k in KEY_ORDER else len(KEY_ORDER))
    code += [f'{key} = {to_source(out[key])}' for key in keys]
    body, _ = FormatCode('\n'.join(code) + '\n', style_config=dict(
        based_on_style='pep8', column_limit=79,
        split_before_first_argument=False))
    return '\n'.join(lines) + '\n' + body


def migrate(src_path: str) -> Migration:
    """Parse ``src_path`` and translate it (the result is in ``.out``,
    ``.problems``, ``.notes``)."""
    migration = Migration(load_config(src_path), base_files(src_path))
    migration.run()
    return migration


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Translate an MMSelfSup 0.x / 1.x config into an '
        'mmpretrain + mmssl_ext config.')
    parser.add_argument('old', help='the MMSelfSup config')
    parser.add_argument('new', help='the config to write')
    parser.add_argument('--check', action='store_true',
                        help='exit with status 1 if anything is left '
                        'untranslated')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    if not osp.isfile(args.old):
        print(f'error: {args.old}: no such config file', file=sys.stderr)
        return 2
    try:
        migration = migrate(args.old)
    except ValueError as err:
        print(f'error: {err}', file=sys.stderr)
        return 2
    for key, message in migration.notes:
        print(f'note: {key}: {message}')
    for key, where, message in migration.problems:
        print(f'UNTRANSLATED {key} ({where}): {message}', file=sys.stderr)
    text = render(migration.out, args.old, migration)
    with open(args.new, 'w', encoding='utf-8') as f:
        f.write(text)
    print(f'wrote {args.new} ({len(migration.problems)} key(s) left '
          'untranslated)')
    return 1 if args.check and migration.problems else 0


if __name__ == '__main__':
    sys.exit(main())
