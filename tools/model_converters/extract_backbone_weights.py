"""Extract the backbone of a (self-)supervised checkpoint into plain tensors.

The output holds nothing but ``{'state_dict': {name: Tensor}, 'meta': {...}}``
with string/int meta values, so it loads with ``torch.load(weights_only=True)``
without any allowlist: ``mim train mmdet|mmseg`` never imports ``mmssl_ext``.

By default the ``backbone.`` prefix is kept, so the file is used the same way
in mmpretrain, mmdet and mmseg configs::

    backbone=dict(..., init_cfg=dict(type='Pretrained', checkpoint='out.pth',
                                      prefix='backbone'))

``--strip-prefix`` writes bare keys (``conv1.weight``) for configs that use
``init_cfg=dict(type='Pretrained', checkpoint=...)`` without a prefix.

MMSelfSup 0.x / 1.x checkpoints are accepted: their Sobel layer
(``sobel_layer.*``, ``backbone.sobel_layer.*``) is dropped, since mmssl_ext
computes the Sobel input in the data preprocessor.

``--target mmseg-vit`` converts an mmpretrain ``VisionTransformer`` for
mmseg's ``VisionTransformer``: bare keys (mmseg's ViT loads its ``Pretrained``
file itself and ignores ``prefix``) and ``attn.qkv``/``attn.proj`` renamed to
``nn.MultiheadAttention``'s ``attn.attn.in_proj_*``/``attn.attn.out_proj.*``
(same [q; k; v] layout). Build the mmseg ViT with ``patch_bias=True`` and
``norm_cfg=dict(type='LN', eps=1e-6)`` to match mmpretrain's ViT exactly.

mmengine's ``Pretrained`` init loads non-strictly and only logs missing keys.
:func:`verify_backbone_loaded` (also ``--verify-config``) checks that every
parameter and buffer of a built backbone came from the file, tensor-equal.

Usage::

    python tools/model_converters/extract_backbone_weights.py \
        work_dirs/mocov2/epoch_200.pth work_dirs/mocov2/backbone.pth
    python tools/model_converters/extract_backbone_weights.py CKPT OUT \
        --verify-config configs/benchmarks/classification/imagenet/\
resnet50_linear-8xb32-coslr-100e_in1k.py
"""
import argparse
import os
import os.path as osp
import re
from collections import OrderedDict
from typing import Dict, Optional

import torch

from mmssl_ext.models.utils.backbone_checkpoint import (BackboneCheckpointError,
                                                      read_state_dict,
                                                      select_backbone)

DEFAULT_PREFIX = 'backbone'


#: raised when a checkpoint has no usable backbone weights (the one backbone
#: loader's error class, so every reading error is one)
BackboneExtractionError = BackboneCheckpointError


def load_checkpoint_state_dict(path: str) -> Dict[str, torch.Tensor]:
    """Every tensor of ``path``, read by the one backbone loader
    (:func:`mmssl_ext.models.utils.backbone_checkpoint.read_state_dict`:
    safe loader, ``state_dict`` / ``model`` / bare layouts, DDP ``module.``
    prefix removed; its errors name the file and the fix)."""
    return OrderedDict(read_state_dict(
        path, hint='Pass the path of a .pth file written by `mim train` '
        '(e.g. work_dirs/<cfg>/epoch_200.pth).'))


def extract_backbone(state_dict: Dict[str, torch.Tensor],
                     prefix: str = DEFAULT_PREFIX,
                     strip_prefix: bool = False,
                     source: str = 'The checkpoint') -> 'OrderedDict':
    """Select the tensors under ``prefix.`` from a model state dict.

    Args:
        state_dict (dict): full model state dict.
        prefix (str): sub-module name of the backbone. Defaults to
            ``'backbone'``.
        strip_prefix (bool): write bare names. Otherwise names are written
            as ``backbone.<name>`` whatever ``prefix`` was, so the file always
            loads with ``prefix='backbone'``. Defaults to False.
        source (str): the checkpoint, named in errors.

    Returns:
        OrderedDict: contiguous CPU tensors.

    Raises:
        BackboneExtractionError: no tensor under ``prefix.`` (the message
            lists the top-level modules and the likely ``--prefix``).
    """
    selected, _ = select_backbone(state_dict, source, prefix,
                                  allow_bare=False)
    out = OrderedDict()
    for bare, value in selected.items():
        key = bare if strip_prefix else f'{DEFAULT_PREFIX}.{bare}'
        out[key] = value.detach().cpu().contiguous().clone()
    return out


def to_mmseg_vit(state: Dict[str, torch.Tensor]
                 ) -> 'OrderedDict':
    """mmpretrain ``VisionTransformer`` names -> mmseg ``VisionTransformer``.

    Input keys may carry the ``backbone.`` prefix; output keys are bare.
    """
    out = OrderedDict()
    for name, value in state.items():
        if name.startswith(DEFAULT_PREFIX + '.'):
            name = name[len(DEFAULT_PREFIX) + 1:]
        name = re.sub(r'\.attn\.qkv\.(weight|bias)$',
                      r'.attn.attn.in_proj_\1', name)
        name = re.sub(r'\.attn\.proj\.', '.attn.attn.out_proj.', name)
        out[name] = value
    if not any('in_proj_weight' in k for k in out):
        raise BackboneExtractionError(
            'No attn.qkv weight found: --target mmseg-vit converts an '
            'mmpretrain VisionTransformer backbone only.')
    return out


def save_backbone(state: Dict[str, torch.Tensor], out: str,
                  meta: Optional[dict] = None) -> None:
    """Write ``{'state_dict': state, 'meta': meta}`` (plain types only)."""
    meta = {str(k): str(v) for k, v in (meta or {}).items()}
    out_dir = osp.dirname(osp.abspath(out))
    os.makedirs(out_dir, exist_ok=True)
    torch.save({'state_dict': dict(state), 'meta': meta}, out)


def verify_backbone_loaded(module: torch.nn.Module,
                           weights: Dict[str, torch.Tensor],
                           prefix: str = '') -> int:
    """Check that ``module`` holds exactly the tensors of ``weights``.

    Every parameter and persistent buffer of ``module`` (except BN
    ``num_batches_tracked`` counters) must exist in ``weights`` under
    ``prefix + name`` with the same shape and values. Missing keys are an
    error, not a warning.

    Args:
        module (nn.Module): the backbone after loading.
        weights (dict): the extracted state dict.
        prefix (str): prefix of the names in ``weights`` (``'backbone.'`` for
            files written without ``--strip-prefix``). Defaults to ``''``.

    Returns:
        int: number of tensors compared.
    """
    missing, mismatched = [], []
    compared = 0
    for name, tensor in module.state_dict().items():
        if name.endswith('num_batches_tracked'):
            continue
        src = weights.get(prefix + name)
        if src is None:
            missing.append(name)
            continue
        if src.shape != tensor.shape or not torch.equal(
                src.to(tensor.dtype), tensor.cpu()):
            mismatched.append(name)
        compared += 1
    if missing or mismatched:
        raise BackboneExtractionError(
            f'The backbone ({type(module).__name__}) was not fully loaded '
            f'from the extracted weights: {len(missing)} missing keys '
            f'{missing[:8]}, {len(mismatched)} different tensors '
            f'{mismatched[:8]}. Check that the config builds the same '
            f'architecture (depth, widths, in_channels) as the pretrained '
            f'model, and that the prefix matches.')
    return compared


def verify_with_config(config: str, out: str) -> int:
    """Build ``model.backbone`` of ``config`` with the extracted file as
    ``Pretrained`` init and check coverage and tensor equality."""
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    cfg = Config.fromfile(config)
    if cfg.get('custom_imports'):
        from mmengine.utils import import_modules_from_strings
        import_modules_from_strings(**cfg.custom_imports)
    init_default_scope(cfg.get('default_scope', 'mmpretrain'))
    from mmengine.registry import MODELS
    backbone_cfg = cfg.model.backbone.copy()
    backbone_cfg['init_cfg'] = dict(type='Pretrained', checkpoint=out,
                                    prefix=DEFAULT_PREFIX)
    backbone = MODELS.build(backbone_cfg)
    backbone.init_weights()
    weights = torch.load(out, map_location='cpu', weights_only=True)
    state = weights['state_dict']
    prefix = DEFAULT_PREFIX + '.' if all(
        k.startswith(DEFAULT_PREFIX + '.') for k in state) else ''
    if not prefix:
        raise BackboneExtractionError(
            '--verify-config loads with prefix="backbone"; extract without '
            '--strip-prefix to verify against a config.')
    return verify_backbone_loaded(backbone, state, prefix)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('checkpoint', help='input checkpoint (.pth)')
    parser.add_argument('output', help='output backbone file (.pth)')
    parser.add_argument('--prefix', default=DEFAULT_PREFIX,
                        help='sub-module holding the backbone '
                        '(default: backbone)')
    parser.add_argument('--strip-prefix', action='store_true',
                        help='write bare names (for init_cfg without prefix)')
    parser.add_argument('--target', choices=['default', 'mmseg-vit'],
                        default='default',
                        help='mmseg-vit: convert a ViT to mmseg key names '
                        '(bare keys)')
    parser.add_argument('--verify-config', default=None,
                        help='build model.backbone of this config, load the '
                        'output with init_cfg Pretrained and check that '
                        'every tensor was loaded')
    return parser.parse_args(argv)


def drop_sobel_layer(state_dict: Dict[str, torch.Tensor]) -> int:
    """Remove MMSelfSup's fixed Sobel layer (0.x ``sobel_layer.*``, 1.x
    ``backbone.sobel_layer.*``) in place; returns the number of tensors.

    mmssl_ext computes the Sobel input in ``SobelDataPreprocessor`` /
    ``SobelClsDataPreprocessor``, so the extracted backbone is a plain ResNet
    with ``in_channels=2``.
    """
    from mmssl_ext.models.utils.mmselfsup_checkpoint import split_sobel
    sobel = split_sobel(state_dict)
    return len(sobel) if sobel else 0


def main(argv=None) -> None:
    args = parse_args(argv)
    full = load_checkpoint_state_dict(args.checkpoint)
    num_sobel = drop_sobel_layer(full)
    if num_sobel:
        print(f'Dropped {num_sobel} tensors of the MMSelfSup Sobel layer: '
              f'evaluate the backbone (in_channels=2) with '
              f"data_preprocessor type='SobelClsDataPreprocessor'.")
    state = extract_backbone(full, args.prefix, args.strip_prefix,
                             args.checkpoint)
    bare = args.strip_prefix
    if args.target == 'mmseg-vit':
        state, bare = to_mmseg_vit(state), True
    save_backbone(state, args.output,
                  meta=dict(source=osp.basename(args.checkpoint),
                            prefix='' if bare else DEFAULT_PREFIX,
                            target=args.target))
    numel = sum(t.numel() for t in state.values())
    print(f'Wrote {len(state)} tensors ({numel / 1e6:.2f} M values) to '
          f'{args.output}')
    if args.verify_config:
        n = verify_with_config(args.verify_config, args.output)
        print(f'Verified: all {n} tensors of the backbone in '
              f'{args.verify_config} were loaded and are equal.')


if __name__ == '__main__':
    main()
