"""Checkpoint -> backbone: the one loader every tool and evaluation uses.

A checkpoint reaches a backbone in three steps, each with one error that
names the file and the fix:

1. :func:`read_state_dict` reads the file through the safe loader
   (:func:`mmssl_ext.compat.checkpoint.load_checkpoint_file`; URLs and the
   other schemes of mmengine's ``CheckpointLoader``, which mmssl_ext points at
   the same loader) and returns its tensors, without a DDP ``module.`` /
   ``torch.compile`` ``_orig_mod.`` prefix. Errors: a missing file
   (:class:`FileNotFoundError`), a truncated or damaged file
   (:class:`CorruptBackboneCheckpointError`), a legacy checkpoint only
   arbitrary code could rebuild (:class:`UnsafeBackboneCheckpointError`,
   carrying the safe loader's message and its conversion command), a file
   that holds no state dict (:class:`BackboneCheckpointError`).
2. :func:`select_backbone` keeps the tensors under ``prefix.`` (default
   ``backbone.``), or a whole file of bare keys (a backbone extracted with
   ``--strip-prefix``) where that is allowed. MMSelfSup's Sobel layer
   (``sobel_layer.*``) is dropped first, after checking that the model's
   data preprocessor computes the same input
   (:mod:`mmssl_ext.models.utils.mmselfsup_checkpoint`). Errors
   (:class:`BackboneKeysError`): no backbone keys (the top-level modules
   found are listed) or the backbone under another prefix (named).
3. :func:`check_backbone_state` compares with the model's backbone:
   missing, unexpected and shape-mismatched keys are listed with their
   shapes (:class:`BackboneMismatchError`) instead of loading half a network.

:func:`load_backbone` runs the three and loads strictly.
"""
import os.path as osp
import re
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import torch

from mmssl_ext.compat.checkpoint import (CorruptCheckpointError,
                                         UnsafeCheckpointError,
                                         load_checkpoint_file)
from .mmselfsup_checkpoint import check_sobel_input, split_sobel

__all__ = [
    'BackboneCheckpointError', 'BackboneKeysError', 'BackboneMismatchError',
    'CorruptBackboneCheckpointError', 'UnsafeBackboneCheckpointError',
    'read_state_dict', 'select_backbone', 'compare_state',
    'check_backbone_state', 'mismatch_problems', 'read_backbone',
    'load_backbone', 'top_level_modules'
]

EXTRACT_TOOL = 'tools/model_converters/extract_backbone_weights.py'
#: what a missing file's message suggests (tools may pass their own)
EXTRACT_HINT = (
    f'Extract the backbone of a pretraining checkpoint (python {EXTRACT_TOOL} '
    f'work_dirs/<config>/epoch_N.pth backbone.pth) or pass that checkpoint '
    f'itself; check the path.')
#: wrappers whose prefix comes before every key of a saved state dict
WRAPPER_PREFIXES = ('module.', '_orig_mod.')
#: top-level modules of a whole model that are never a backbone: a file
#: with one of them is not a bare (prefix-stripped) backbone
NON_BACKBONE_MODULES = frozenset({
    'neck', 'head', 'heads', 'memory_bank', 'loss_weight', 'target_net',
    'momentum_encoder', 'online_net', 'projector', 'predictor',
    'data_preprocessor', 'teacher', 'student'
})
#: keys that only a backbone's own state dict has at the top level
BARE_BACKBONE_KEYS = ('conv1.weight', 'patch_embed.projection.weight',
                      'cls_token', 'pos_embed')
#: keys listed in a message at the most
MAX_LISTED = 12


class BackboneCheckpointError(ValueError):
    """A checkpoint cannot give the backbone; the message names the file and
    the fix."""


class BackboneKeysError(BackboneCheckpointError):
    """No backbone under the expected prefix (none at all, or another
    prefix)."""


class BackboneMismatchError(BackboneCheckpointError):
    """The checkpoint's backbone is another architecture than the model's."""


class CorruptBackboneCheckpointError(BackboneCheckpointError,
                                     CorruptCheckpointError):
    """The file is truncated or damaged (the safe loader's message)."""


class UnsafeBackboneCheckpointError(BackboneCheckpointError,
                                    UnsafeCheckpointError):
    """The file holds objects only code could rebuild: a legacy checkpoint
    (the safe loader's message, with the conversion command)."""


def _listed(items: Sequence[str]) -> str:
    items = sorted(items)
    more = (f' ... and {len(items) - MAX_LISTED} more'
            if len(items) > MAX_LISTED else '')
    return ', '.join(items[:MAX_LISTED]) + more


def top_level_modules(keys: Iterable[str]) -> List[str]:
    """Sorted first components of dotted keys (``backbone``, ``head`` ...)."""
    return sorted({str(k).split('.', 1)[0] for k in keys})


def read_state_dict(checkpoint: str,
                    hint: str = EXTRACT_HINT,
                    map_location='cpu') -> Dict[str, torch.Tensor]:
    """Every tensor of a checkpoint file, read without executing its code.

    Accepts mmengine checkpoints (``{'state_dict': ...}``), ``{'model': ...}``
    files and bare state dicts; removes the DDP ``module.`` and
    ``torch.compile`` ``_orig_mod.`` prefixes.

    Args:
        checkpoint (str): a local file, or a URL / ``torchvision://`` ...
            (mmengine's ``CheckpointLoader`` schemes, served by the same safe
            loader once mmssl_ext is imported).
        hint (str): the fix a missing file's message suggests.
            Defaults to :data:`EXTRACT_HINT`.
        map_location: as for :func:`torch.load`. Defaults to 'cpu'.

    Raises:
        FileNotFoundError: the file does not exist.
        CorruptBackboneCheckpointError: truncated or damaged.
        UnsafeBackboneCheckpointError: a legacy/untrusted pickle.
        BackboneCheckpointError: no state dict of tensors in it.
    """
    checkpoint = str(checkpoint)
    remote = re.match(r'^[\w+.-]*://', checkpoint) is not None
    if not remote and not osp.exists(osp.expanduser(checkpoint)):
        raise FileNotFoundError(f'Checkpoint {checkpoint} does not exist. '
                                f'{hint}')
    try:
        if remote:
            from mmengine.runner import CheckpointLoader

            from mmssl_ext.compat.checkpoint import \
                register_safe_checkpoint_loader
            register_safe_checkpoint_loader()
            ckpt = CheckpointLoader.load_checkpoint(checkpoint, map_location)
        else:
            ckpt = load_checkpoint_file(checkpoint, map_location)
    except UnsafeCheckpointError as exc:
        raise UnsafeBackboneCheckpointError(str(exc)) from None
    except CorruptCheckpointError as exc:
        raise CorruptBackboneCheckpointError(str(exc)) from None
    state = ckpt
    if isinstance(ckpt, dict):
        for key in ('state_dict', 'model'):
            if isinstance(ckpt.get(key), dict):
                state = ckpt[key]
                break
    if not isinstance(state, dict) or not state:
        raise BackboneCheckpointError(
            f'{checkpoint} holds no state dict (found '
            f'{type(state).__name__}); pass a model checkpoint written by '
            f'`mim train` or a backbone extracted with {EXTRACT_TOOL}.')
    out = {}
    for name, value in state.items():
        name = str(name)
        for wrapper in WRAPPER_PREFIXES:
            if name.startswith(wrapper):
                name = name[len(wrapper):]
        if not isinstance(value, torch.Tensor):
            raise BackboneCheckpointError(
                f'{checkpoint}: {name!r} is a {type(value).__name__}, not a '
                f'tensor; the file is not a model state dict. Pass a model '
                f'checkpoint or a backbone extracted with {EXTRACT_TOOL}.')
        out[name] = value
    return out


def _backbone_candidates(state: Dict[str, torch.Tensor], prefix: str,
                         expected: Optional[Iterable[str]]) -> List[str]:
    """Other top-level modules that may hold the backbone: with the model's
    keys known, those covering most of them; else every module that is not
    a neck/head/memory."""
    tops = [t for t in top_level_modules(state) if t != prefix and any(
        k.startswith(t + '.') for k in state)]
    if expected is None:
        return [t for t in tops if t not in NON_BACKBONE_MODULES]
    expected = set(expected)
    found = []
    for top in tops:
        keys = {k[len(top) + 1:] for k in state if k.startswith(top + '.')}
        if expected and len(keys & expected) * 2 >= len(expected):
            found.append(top)
    return found


def _looks_bare(state: Dict[str, torch.Tensor]) -> bool:
    """Whether the keys are those of a backbone itself (ResNet, ViT)."""
    return any(k in state for k in BARE_BACKBONE_KEYS) or any(
        k.startswith(('stem.', 'layer1.')) for k in state)


def select_backbone(state: Dict[str, torch.Tensor],
                    checkpoint: str = 'the checkpoint',
                    prefix: str = 'backbone',
                    allow_bare: bool = True,
                    expected: Optional[Iterable[str]] = None
                    ) -> Tuple[Dict[str, torch.Tensor], Optional[str]]:
    """The backbone tensors of a state dict, keys without the prefix.

    Args:
        state (dict): a state dict (:func:`read_state_dict`).
        checkpoint (str): the file, named in errors.
        prefix (str): module name of the backbone. Defaults to 'backbone'.
        allow_bare (bool): accept a file without ``prefix.`` keys and without
            neck/head modules as an already extracted (``--strip-prefix``)
            backbone. Defaults to True.
        expected (Iterable[str], optional): the model backbone's keys, to
            find a backbone stored under another prefix.

    Returns:
        tuple: (backbone tensors, the prefix removed with its dot, or None
        for a bare file).

    Raises:
        BackboneKeysError: no backbone keys, or they are under another
            prefix (named in the message).
    """
    prefix = prefix.rstrip('.')
    if not prefix:
        raise BackboneKeysError(
            'The backbone prefix is empty: pass the backbone module name, '
            'e.g. --prefix backbone.')
    dotted = prefix + '.'
    picked = {k[len(dotted):]: v for k, v in state.items()
              if k.startswith(dotted)}
    if picked:
        return picked, dotted
    tops = top_level_modules(state)
    if allow_bare and not NON_BACKBONE_MODULES & set(tops):
        return dict(state), None
    found = f'{checkpoint} has no "{dotted}" keys (top-level modules ' \
            f'{tops[:MAX_LISTED]}'
    found += ' ...)' if len(tops) > MAX_LISTED else ')'
    others = _backbone_candidates(state, prefix, expected)
    if _looks_bare(state):
        fix = (f'It looks like a backbone extracted with --strip-prefix '
               f'(bare keys such as {sorted(state)[0]}): extract it again with '
               f'{EXTRACT_TOOL} without --strip-prefix, or pass the '
               f'pretraining checkpoint itself.')
    elif others:
        fix = (f'The backbone seems to be stored under another prefix: pass '
               f'--prefix {others[0]} (candidates: {others}) where the tool '
               f'has it, or extract it with {EXTRACT_TOOL} CKPT OUT --prefix '
               f'{others[0]}.')
    else:
        fix = (f'Pass a pretraining checkpoint (work_dirs/<config>/'
               f'epoch_N.pth) or backbone weights extracted with '
               f'{EXTRACT_TOOL} without --strip-prefix; if the backbone has '
               f'another module name, pass it with --prefix (one of {tops}).')
    raise BackboneKeysError(f'{found}. {fix}')


def compare_state(model_state: Dict[str, torch.Tensor],
                  state: Dict[str, torch.Tensor],
                  new_prefixes: Sequence[str] = ()
                  ) -> Tuple[List[str], List[str]]:
    """(keys missing from ``state``, shape mismatches) for a model part.

    BatchNorm ``num_batches_tracked`` counters and keys starting with one of
    ``new_prefixes`` (layers the model adds on top of the pretrained
    backbone) are not required. A mismatch reads
    ``'key (checkpoint shape) (model (model shape))'``.
    """
    missing, mismatched = [], []
    for key, value in model_state.items():
        if (key.endswith('num_batches_tracked')
                or key.startswith(tuple(new_prefixes))):
            continue
        if key not in state:
            missing.append(key)
        elif tuple(state[key].shape) != tuple(value.shape):
            mismatched.append(f'{key} {tuple(state[key].shape)} '
                              f'(model {tuple(value.shape)})')
    return missing, mismatched


def mismatch_problems(missing: Sequence[str] = (),
                      mismatched: Sequence[str] = (),
                      unused: Sequence[str] = (),
                      source: str = 'the checkpoint') -> List[str]:
    """One line per kind of difference between a model part and a
    checkpoint (lists cut at :data:`MAX_LISTED`), as every loader words it."""
    problems = []
    if missing:
        problems.append(f'{len(missing)} keys missing from {source}: '
                        f'{_listed(missing)}')
    if mismatched:
        problems.append(f'{len(mismatched)} shapes differ: '
                        f'{_listed(mismatched)}')
    if unused:
        problems.append(f'{len(unused)} {source} keys unused by the model: '
                        f'{_listed(unused)}')
    return problems


def check_backbone_state(backbone: torch.nn.Module,
                         state: Dict[str, torch.Tensor],
                         checkpoint: str = 'the checkpoint') -> None:
    """Raise :class:`BackboneMismatchError` unless ``state`` holds exactly
    ``backbone``'s tensors with its shapes (``num_batches_tracked`` may be
    absent)."""
    own = backbone.state_dict()
    missing, mismatched = compare_state(own, state)
    unused = sorted(
        f'{k} {tuple(v.shape)}' for k, v in state.items() if k not in own)
    if not (missing or mismatched or unused):
        return
    problems = mismatch_problems(
        [f'{k} {tuple(own[k].shape)}' for k in missing], mismatched, unused)
    raise BackboneMismatchError(
        f'{checkpoint} does not match the config\'s backbone '
        f'({type(backbone).__name__}); its backbone tensors differ:\n  - ' +
        '\n  - '.join(problems) +
        '\nFix: use the config the checkpoint was pretrained with (depth, '
        'widths, in_channels, stem) or a checkpoint of this backbone.')


def read_backbone(checkpoint: str,
                  prefix: str = 'backbone',
                  allow_bare: bool = True,
                  data_preprocessor=None,
                  expected: Optional[Iterable[str]] = None,
                  hint: str = EXTRACT_HINT
                  ) -> Tuple[Dict[str, torch.Tensor], Optional[str]]:
    """Read a checkpoint's backbone tensors: :func:`read_state_dict`, the
    MMSelfSup Sobel layer dropped (checked against ``data_preprocessor`` if
    given), then :func:`select_backbone`. Returns (tensors, prefix)."""
    state = read_state_dict(checkpoint, hint)
    sobel = split_sobel(state)
    if sobel is not None and data_preprocessor is not None:
        check_sobel_input(sobel, data_preprocessor)
    return select_backbone(state, checkpoint, prefix, allow_bare, expected)


def load_backbone(backbone: torch.nn.Module,
                  checkpoint: str,
                  prefix: str = 'backbone',
                  allow_bare: bool = True,
                  data_preprocessor=None) -> Dict[str, torch.Tensor]:
    """Load a checkpoint's backbone into ``backbone``, strictly.

    Unlike ``init_cfg=dict(type='Pretrained')``, which loads non-strictly and
    only logs, every error here stops before a half-loaded network is used.

    Args:
        backbone (nn.Module): the model's backbone.
        checkpoint (str): a training checkpoint or an extracted backbone.
        prefix (str): the backbone's module name in the checkpoint.
            Defaults to 'backbone'.
        allow_bare (bool): accept an extracted backbone without prefix.
            Defaults to True.
        data_preprocessor (nn.Module, optional): checked against an MMSelfSup
            Sobel layer in the checkpoint.

    Returns:
        dict: the loaded tensors (keys without prefix).
    """
    own = backbone.state_dict()
    state, _ = read_backbone(checkpoint, prefix, allow_bare,
                             data_preprocessor, expected=own)
    check_backbone_state(backbone, state, checkpoint)
    for key in own:  # BatchNorm counters a checkpoint may lack
        if key.endswith('num_batches_tracked') and key not in state:
            state[key] = own[key]
    backbone.load_state_dict(state, strict=True)
    return state
