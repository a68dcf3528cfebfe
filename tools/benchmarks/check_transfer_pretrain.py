"""Pre-flight check for the detection / segmentation transfer benchmarks.

Run by ``benchmarks/mmdetection/mim_*_train.sh`` and
``benchmarks/mmsegmentation/mim_*_train.sh`` before ``mim train``, so that a
bad input fails in seconds with a message instead of after the model and the
data are built (or, worse, trains silently from a half-loaded backbone):

* mmcv is an upstream 2.1.x (mmdet 3.3 / mmseg 1.2.2 reject >= 2.2) with
  compiled ops (mmdet.models / mmseg.models need them),
* CONFIG exists and belongs to the launcher's codebase (its
  ``default_scope``),
* PRETRAIN exists and loads with the safe checkpoint loader (extracted
  backbone weights or a whole checkpoint),
* PRETRAIN is not a Sobel (2-channel input) backbone,
* every parameter/buffer of the config's backbone (and, for C4 detectors,
  of the res5 shared head, which also comes from PRETRAIN) is in PRETRAIN
  with the same shape, and PRETRAIN holds nothing else.

The linear and semi-supervised launchers (``tools/misc/launch.py``) run it
with codebase ``mmpretrain`` (no compiled ops needed) for the same reason: a
backbone of another architecture would otherwise only log a size mismatch
and train a randomly initialised frozen backbone.

On success it prints (``--print-cfg-options``) the ``--cfg-options`` that
initialise the model from PRETRAIN, one per line, for the launcher.

Example::

    python tools/benchmarks/check_transfer_pretrain.py mmdet \
        configs/benchmarks/mmdetection/coco/mask-rcnn_r50-fpn_ms-1x_coco.py \
        work_dirs/npid/backbone.pth --print-cfg-options

Exit status: 0 ok, 1 a problem (explained on stderr), 2 bad usage.
"""
import argparse
import os.path as osp
import sys
from typing import Dict, List, Optional, Sequence, Tuple

LAUNCHERS = {'mmdet': 'benchmarks/mmdetection/',
             'mmseg': 'benchmarks/mmsegmentation/',
             # linear / semi-supervised launchers (tools/misc/launch.py)
             'mmpretrain': 'benchmarks/classification/'}
#: Parts of a model initialised from PRETRAIN: (cfg path, cfg-options key).
PRETRAINED_PARTS = {
    'mmdet': (('backbone', 'model.backbone'),
              ('roi_head.shared_head', 'model.roi_head.shared_head')),
    'mmseg': (('backbone', 'model.backbone'), ),
    'mmpretrain': (('backbone', 'model.backbone'), ),
}


class TransferCheckError(Exception):
    """A problem with the user's input; the message names it and the fix."""


def check_ops(codebase: str) -> None:
    """Raise unless mmcv's compiled ops and ``codebase`` are importable."""
    from mmssl_ext.compat import check_transfer_mmcv, has_mmcv_ops
    try:
        check_transfer_mmcv()
    except ImportError as exc:
        raise TransferCheckError(str(exc)) from exc
    if not has_mmcv_ops():
        raise TransferCheckError(
            f'mmcv\'s compiled ops are missing (mmcv-lite, or an mmcv built '
            f'without ops), and `import {codebase}.models` needs them. '
            f'Install full mmcv 2.1.0 built for this torch: `make mmcv-full` '
            f'(or `bash tools/mmcv_full/install_mmcv_full.sh`; with a wheel '
            f'cache: MMCV_WHEEL_CACHE=DIR).')
    try:
        __import__(f'{codebase}.models')
    except ImportError as exc:
        raise TransferCheckError(
            f'`import {codebase}.models` failed ({exc}). Install the transfer '
            f'extras: `pip install -r requirements/transfer.txt`.') from exc


def load_config(codebase: str, config: str,
                cfg_options: Optional[dict] = None):
    """Load CONFIG and check that it is a ``codebase`` config."""
    from mmengine.config import Config
    if not osp.isfile(config):
        raise TransferCheckError(
            f'Config {config!r} does not exist. Pass a file, e.g. one under '
            f'configs/{LAUNCHERS[codebase]}.')
    cfg = Config.fromfile(config)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    scope = cfg.get('default_scope')
    if scope != codebase:
        other = [k for k in LAUNCHERS if k == scope]
        script = ('dist_train_linear.sh' if other and other[0] == 'mmpretrain'
                  else 'mim_dist_train.sh')
        hint = (f'use {LAUNCHERS[other[0]]}{script} for it'
                if other else
                f'pass a config that inherits from `{codebase}::...` (see '
                f'configs/benchmarks/)')
        raise TransferCheckError(
            f'{config} is not an {codebase} config (its default_scope is '
            f'{scope!r}, expected {codebase!r}): {hint}.')
    if 'model' not in cfg or 'backbone' not in cfg.model:
        raise TransferCheckError(f'{config} has no model.backbone to '
                                 f'initialise from PRETRAIN.')
    return cfg


def load_pretrain(path: str) -> Tuple[Dict[str, 'object'], Optional[str]]:
    """Load PRETRAIN's backbone tensors through the one backbone loader
    (:func:`mmssl_ext.models.utils.backbone_checkpoint.read_backbone`).
    Returns (state dict without prefix, prefix to strip or None)."""
    from mmssl_ext.models.utils.backbone_checkpoint import (
        BackboneCheckpointError, read_backbone)
    try:
        return read_backbone(path)
    except (BackboneCheckpointError, FileNotFoundError) as exc:
        raise TransferCheckError(f'PRETRAIN: {exc}') from exc


def check_not_sobel(state: dict, path: str, in_channels: int = 3) -> None:
    """Refuse weights whose first conv does not take ``in_channels``."""
    stem = [k for k in ('conv1.weight', 'stem.0.weight', 'stem.0.conv.weight')
            if k in state]
    if not stem:
        return
    got = state[stem[0]].shape[1]
    if got == 2 and in_channels != 2:
        raise TransferCheckError(
            f'PRETRAIN {path} is a Sobel backbone: {stem[0]} takes 2 input '
            f'channels (Sobel edges of grey images, with_sobel=True in '
            f'DeepCluster/ODC), but detection and segmentation feed '
            f'{in_channels}-channel RGB images. Transfer a backbone '
            f'pretrained without Sobel (set with_sobel=False).')
    if got != in_channels:
        raise TransferCheckError(
            f'PRETRAIN {path}: {stem[0]} takes {got} input channels, the '
            f'config\'s backbone {in_channels}. Pretrain on '
            f'{in_channels}-channel input or set model.backbone.in_channels.')


def _get_path(cfg, dotted: str):
    node = cfg.model
    for part in dotted.split('.'):
        if not hasattr(node, 'get') or node.get(part) is None:
            return None
        node = node[part]
    return node


def build_part(codebase: str, part_cfg) -> 'object':
    """Build one model part from its config in ``codebase``'s registry."""
    import copy

    from mmengine.registry import DefaultScope
    registry = __import__(f'{codebase}.registry', fromlist=['MODELS']).MODELS
    part_cfg = copy.deepcopy(dict(part_cfg))
    part_cfg.pop('init_cfg', None)
    part_cfg.pop('pretrained', None)
    with DefaultScope.overwrite_default_scope(codebase):
        return registry.build(part_cfg)


def compare_keys(model_state: dict, pretrain_state: dict,
                 new_prefixes: Sequence[str] = ()
                 ) -> Tuple[List[str], List[str]]:
    """(missing in PRETRAIN, shape mismatches) for one model part (see
    :func:`mmssl_ext.models.utils.backbone_checkpoint.compare_state`)."""
    from mmssl_ext.models.utils.backbone_checkpoint import compare_state
    return compare_state(model_state, pretrain_state, new_prefixes)


def check_transfer_pretrain(codebase: str, config: str, pretrain: str,
                            cfg_options: Optional[dict] = None) -> List[str]:
    """Run every check. Returns the ``--cfg-options`` (``key=value``) that
    initialise the pretrained parts of the model from ``pretrain``.

    Raises:
        TransferCheckError: with the problem and the fix.
    """
    if codebase != 'mmpretrain':  # classification needs no compiled ops
        check_ops(codebase)
    from mmssl_ext.models.utils.backbone_checkpoint import mismatch_problems
    cfg = load_config(codebase, config, cfg_options)
    state, prefix = load_pretrain(pretrain)
    check_not_sobel(state, pretrain,
                    cfg.model.backbone.get('in_channels', 3))
    used, problems = set(), []
    options = []
    checkpoint = osp.abspath(pretrain)
    for part, key in PRETRAINED_PARTS[codebase]:
        part_cfg = _get_path(cfg, part)
        if part_cfg is None:
            continue
        module = build_part(codebase, part_cfg)
        part_state = module.state_dict()
        new_prefixes = getattr(module, 'NEW_PARAMETER_PREFIXES', ())
        if type(module).__name__ == 'ResLayerExtraNorm':  # mmpretrain's
            new_prefixes = ('norm.', )
        missing, mismatched = compare_keys(part_state, state, new_prefixes)
        used.update(k for k in part_state if k in state)
        problems += [f'{part}: {line}' for line in mismatch_problems(
            missing, mismatched, source='PRETRAIN')]
        options += [f'{key}.init_cfg.type=Pretrained',
                    f'{key}.init_cfg.checkpoint={checkpoint}']
        if prefix:
            options.append(f'{key}.init_cfg.prefix={prefix}')
    unexpected = [k for k in state if k not in used
                  and not k.endswith('num_batches_tracked')]
    problems += mismatch_problems(unused=unexpected, source='PRETRAIN')
    if problems:
        hint = ('the backbone in the config and the pretrained one differ '
                '(depth, widths, stem); make model.backbone match the '
                'pretraining backbone (e.g. --cfg-options '
                'model.backbone.depth=...) or extract the right weights')
        if any(k.startswith('stem.') for k in state):
            hint = ('PRETRAIN has a deep stem (ResNetV1c/V1d); the transfer '
                    'configs use the plain 7x7 stem of the pretraining '
                    'ResNet: pretrain with type=ResNet, or set '
                    'model.backbone.deep_stem=True')
        raise TransferCheckError(
            f'PRETRAIN {pretrain} does not match {config}:\n  - '
            + '\n  - '.join(problems) + f'\nFix: {hint}.')
    if codebase == 'mmseg':
        # EncoderDecoder would otherwise pass model.pretrained on as well.
        options.append('model.pretrained=None')
    return options


def parse_args(argv=None):
    from mmengine.config import DictAction
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('codebase', choices=sorted(LAUNCHERS))
    parser.add_argument('config')
    parser.add_argument('pretrain')
    parser.add_argument('--print-cfg-options', action='store_true',
                        help='print the --cfg-options that load PRETRAIN, '
                        'one per line')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='the cfg-options the run will use (checked '
                        'against PRETRAIN too)')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        options = check_transfer_pretrain(args.codebase, args.config,
                                          args.pretrain, args.cfg_options)
    except TransferCheckError as exc:
        print(f'check_transfer_pretrain: {exc}', file=sys.stderr)
        return 1
    print(f'check_transfer_pretrain: {args.pretrain} matches {args.config}.',
          file=sys.stderr)
    if args.print_cfg_options:
        print('\n'.join(options))
    return 0


if __name__ == '__main__':
    sys.exit(main())
