"""Load MMSelfSup 0.x / 1.x checkpoints into our algorithms.

MMSelfSup's checkpoints of DeepCluster, ODC, NPID, RelativeLoc and
RotationPred hold the same ResNet backbone keys as ours; they differ where a
module is named or built differently (reference: open-mmlab/mmselfsup,
branch ``0.x`` = 0.9 and ``main`` = 1.x):

- Sobel layer: 0.x ``sobel_layer.sobel.{0,1}.*`` (``with_sobel=True``),
  1.x ``backbone.sobel_layer.sobel.{0,1}.*`` (``ResNetSobel``); ours has
  none (``SobelDataPreprocessor`` computes it): dropped, after checking that
  the model's preprocessor computes the same input.
- ``ClsHead``: ``head.fc_cls.*`` -> ours ``head.fc.*`` (``ClusterHead``,
  ``PretextClsHead``).
- ``RelativeLocNeck``: ``neck.bn.*`` -> ours ``neck.norm.*``.
- loss weights: 0.x a plain attribute (absent), 1.x and ours
  ``loss_weight``.
- ``ODCMemory``: 0.x absent (plain attributes), 1.x ``memory_bank.centroids``
  only; ours feature and label banks, centroids and ``initialized``.
- ``SimpleMemory``: 0.x absent (plain attribute), 1.x and ours
  ``memory_bank.feature_bank``.

Everything here runs while a state dict is loaded into a model
(:class:`MMSelfSupCheckpointMixin` on the algorithm classes, the memories'
``_load_from_state_dict``), so ``load_from``, ``Runner.load_checkpoint``,
``load_checkpoint(model, ...)`` and ``model.load_state_dict`` all accept such
checkpoints; ``tools/model_converters/extract_backbone_weights.py`` uses
:func:`split_sobel` to drop the Sobel layer. A memory missing from the
checkpoint is filled with the model's current (empty) tensors and marked
uninitialised; the training hooks rebuild it (see :func:`fill_missing_memory`).
"""
import logging
from typing import Dict, Iterable, List, Optional

import torch
import torch.nn.functional as F
from mmengine.logging import print_log

__all__ = ['MMSelfSupCheckpointError', 'MMSelfSupCheckpointMixin',
           'SOBEL_PREFIXES', 'KEY_RENAMES', 'split_sobel', 'apply_sobel',
           'check_sobel_input', 'convert_mmselfsup_state_dict',
           'fill_missing_memory', 'check_resumable']

#: Where MMSelfSup keeps its fixed Sobel layer (0.x algorithm attribute,
#: 1.x ``ResNetSobel`` attribute); each holds ``0.{weight,bias}`` (RGB -> grey
#: 1x1 conv) and ``1.{weight,bias}`` (grey -> 2 gradients, 3x3 conv).
SOBEL_PREFIXES = ('sobel_layer.sobel.', 'backbone.sobel_layer.sobel.')

#: MMSelfSup name prefix -> ours; applied only where the model has the target
#: name and not the source name.
KEY_RENAMES = (
    ('head.fc_cls.', 'head.fc.'),  # ClsHead -> ClusterHead / PretextClsHead
    ('neck.bn.', 'neck.norm.'),  # RelativeLocNeck
)


class MMSelfSupCheckpointError(ValueError):
    """A checkpoint uses an MMSelfSup convention this model cannot honour."""


def _log(msg: str, level: int = logging.INFO) -> None:
    print_log(msg, logger='current', level=level)


def split_sobel(state_dict: Dict[str, torch.Tensor],
                prefix: str = '') -> Optional[Dict[str, torch.Tensor]]:
    """Remove MMSelfSup's Sobel layer keys from ``state_dict`` (in place).

    Args:
        state_dict (dict): a model state dict.
        prefix (str): prefix of the model's keys. Defaults to ''.

    Returns:
        dict | None: the Sobel tensors as ``{'0.weight', '0.bias',
        '1.weight', '1.bias'}`` (subset), or None if there were none.
    """
    sobel = {}
    for layout in SOBEL_PREFIXES:
        start = prefix + layout
        for key in [k for k in state_dict if k.startswith(start)]:
            sobel[key[len(start):]] = state_dict.pop(key)
    return sobel or None


def apply_sobel(sobel: Dict[str, torch.Tensor],
                x: torch.Tensor) -> torch.Tensor:
    """Run a checkpoint's Sobel layer: ``(N, 3, H, W) -> (N, 2, H, W)``."""
    grey = F.conv2d(x, sobel['0.weight'].to(x), sobel.get('0.bias'))
    return F.conv2d(grey, sobel['1.weight'].to(x), sobel.get('1.bias'),
                    padding=1)


def _model_sobel(preprocessor, x: torch.Tensor) -> Optional[torch.Tensor]:
    """The Sobel input our preprocessor computes, or None if it has none."""
    kernels = getattr(preprocessor, 'sobel_kernels', None)
    if kernels is None:
        return None
    from mmssl_ext.models.data_preprocessors import \
        sobel_data_preprocessor as sobel_module
    gray = getattr(preprocessor, 'gray', None)
    if gray is None:
        return sobel_module.sobel_filter(x, kernels)
    return sobel_module.sobel_filter(x, kernels, gray)


def check_sobel_input(sobel: Dict[str, torch.Tensor], preprocessor) -> None:
    """Raise unless ``preprocessor`` computes what the checkpoint's Sobel
    layer computed (compared on a fixed random probe)."""
    keys = {'0.weight', '1.weight'}
    if not keys <= set(sobel):
        raise MMSelfSupCheckpointError(
            f'The checkpoint has an incomplete Sobel layer ({sorted(sobel)}); '
            f'expected {sorted(keys)} under one of {SOBEL_PREFIXES}.')
    grey = sobel['0.weight'].flatten().tolist()
    probe = torch.randn(2, 3, 9, 9,
                        generator=torch.Generator().manual_seed(0))
    ours = _model_sobel(preprocessor, probe)
    if ours is None:
        raise MMSelfSupCheckpointError(
            f'The checkpoint was trained on Sobel-filtered input (MMSelfSup '
            f'with_sobel=True / ResNetSobel: keys sobel_layer.*), but the '
            f'model\'s data preprocessor is '
            f'{type(preprocessor).__name__}. mmssl_ext computes the Sobel '
            f"input in the preprocessor: set model.data_preprocessor="
            f"dict(type='SobelDataPreprocessor', ...) (evaluation configs: "
            f"'SobelClsDataPreprocessor') and backbone in_channels=2.")
    theirs = apply_sobel(sobel, probe)
    if not torch.allclose(ours, theirs, rtol=1e-4, atol=1e-4):
        raise MMSelfSupCheckpointError(
            f'The checkpoint\'s Sobel layer (grey weights '
            f'{[round(w, 4) for w in grey]}) differs from what the model\'s '
            f'{type(preprocessor).__name__} computes (grey weighting '
            f'{getattr(preprocessor, "gray", "luma")!r}): MMSelfSup averages '
            f"the RGB channels; set the preprocessor's gray='mean'.")


def convert_mmselfsup_state_dict(model: torch.nn.Module,
                                 state_dict: Dict[str, torch.Tensor],
                                 prefix: str = '') -> List[str]:
    """Rewrite an MMSelfSup state dict for ``model`` in place.

    Drops the Sobel layer (after checking ``model.data_preprocessor``
    computes the same input), renames :data:`KEY_RENAMES` where ``model`` has
    the target name, and fills a missing ``loss_weight`` (0.x keeps it out of
    the state dict; the clustering hooks recompute it) with the model's
    current value. Our own state dicts pass unchanged.

    Args:
        model (nn.Module): the algorithm receiving the state dict.
        state_dict (dict): the (prefixed) state dict being loaded.
        prefix (str): prefix of ``model``'s keys. Defaults to ''.

    Returns:
        list[str]: what was changed, one line per change.
    """
    notes = []
    sobel = split_sobel(state_dict, prefix)
    if sobel is not None:
        check_sobel_input(sobel, getattr(model, 'data_preprocessor', None))
        notes.append(f'dropped the Sobel layer ({len(sobel)} tensors): '
                     f'{type(model.data_preprocessor).__name__} computes '
                     f'the same input')
    _check_input_channels(model, state_dict, prefix, sobel is not None)
    own = None
    for src, dst in KEY_RENAMES:
        keys = [k for k in state_dict if k.startswith(prefix + src)]
        if not keys:
            continue
        if own is None:
            own = {prefix + k for k in model.state_dict(keep_vars=True)}
        moved = 0
        for key in keys:
            new = prefix + dst + key[len(prefix + src):]
            if key not in own and new in own and new not in state_dict:
                state_dict[new] = state_dict.pop(key)
                moved += 1
        if moved:
            notes.append(f'renamed {src}* -> {dst}* ({moved} tensors)')
    _check_odc_neck(model, state_dict, prefix)
    weight = getattr(model, 'loss_weight', None)
    if isinstance(weight, torch.Tensor) and \
            prefix + 'loss_weight' not in state_dict and \
            any(k.startswith(prefix + 'head.') for k in state_dict):
        state_dict[prefix + 'loss_weight'] = weight.detach().clone()
        notes.append('no loss_weight in the checkpoint (MMSelfSup 0.x): '
                     'kept uniform until the clustering hooks set it')
    if notes:
        _log(f'{type(model).__name__}: loading an MMSelfSup checkpoint: ' +
             '; '.join(notes) + '.')
    return notes


def _check_input_channels(model, state_dict, prefix, had_sobel) -> None:
    """A stem trained on other input channels (RGB vs. 2 Sobel maps) would
    only be warned about by a non-strict ``load_from``: refuse it."""
    key = prefix + 'backbone.conv1.weight'
    conv = getattr(getattr(model, 'backbone', None), 'conv1', None)
    if key not in state_dict or not isinstance(conv, torch.nn.Conv2d):
        return
    theirs, ours = state_dict[key].shape[1], conv.weight.shape[1]
    if theirs == ours:
        return
    what = ('2 Sobel gradient maps' if theirs == 2 else f'{theirs} channels')
    fix = ("model.data_preprocessor=dict(type='SobelDataPreprocessor') and "
           "backbone in_channels=2" if theirs == 2 else
           f'a data preprocessor without Sobel filtering and backbone '
           f'in_channels={theirs}')
    raise MMSelfSupCheckpointError(
        f'The checkpoint\'s backbone.conv1 takes {what} '
        f'({"with" if had_sobel else "no"} Sobel layer in the checkpoint) '
        f'but the model\'s takes {ours}: use {fix}.')


def _check_odc_neck(model, state_dict, prefix) -> None:
    """MMSelfSup's ODCNeck ends ``fc1 -> ReLU``; a neck with a final
    BatchNorm (``bn1``) would run on statistics the checkpoint lacks."""
    neck = getattr(model, 'neck', None)
    if type(neck).__name__ != 'ODCNeck' or not hasattr(neck, 'bn1'):
        return
    has_fc1 = prefix + 'neck.fc1.weight' in state_dict
    has_bn1 = any(k.startswith(prefix + 'neck.bn1.') for k in state_dict)
    if has_fc1 and not has_bn1:
        raise MMSelfSupCheckpointError(
            "The checkpoint's ODCNeck ends with fc1 -> ReLU (MMSelfSup 0.x "
            "and 1.x, no neck.bn1.* keys) but this model's ODCNeck ends with "
            "a BatchNorm (neck.bn1) whose running statistics the checkpoint "
            "cannot supply: build the ODCNeck the way MMSelfSup does (no "
            "final BatchNorm) to load it.")


def fill_missing_memory(module: torch.nn.Module,
                        state_dict: Dict[str, torch.Tensor], prefix: str,
                        names: Iterable[str]) -> Optional[str]:
    """Keep a memory's current tensors when the checkpoint lacks its banks.

    MMSelfSup 0.x keeps every memory bank out of the state dict, 1.x keeps
    ODC's feature and label banks out; a checkpoint of another dataset has
    banks of another length. If any of ``names`` is absent from
    ``state_dict`` or has another shape, all of them are set to the module's
    current tensors (so loading changes nothing and reports no missing key)
    and a reason is returned: the caller marks the memory uninitialised,
    and the training hooks rebuild it before the first iteration.

    Returns:
        str | None: why the memory is missing, or None if it is complete.
    """
    names = list(names)
    absent = [n for n in names if prefix + n not in state_dict]
    other = [n for n in names if prefix + n in state_dict
             and state_dict[prefix + n].shape != getattr(module, n).shape]
    if not absent and not other:
        return None
    reasons = []
    if absent:
        reasons.append(f'no {", ".join(absent)} in the checkpoint')
    for n in other:
        reasons.append(f'{n} of shape {tuple(state_dict[prefix + n].shape)} '
                       f'in the checkpoint, {tuple(getattr(module, n).shape)} '
                       f'in the model')
    for n in names:
        state_dict[prefix + n] = getattr(module, n).detach().clone()
    reason = '; '.join(reasons)
    _log(f'{type(module).__name__} ({prefix.rstrip(".") or "memory"}): '
         f'{reason}. The memory is marked uninitialised and is rebuilt from '
         f'the training set before training (evaluation does not use it).',
         logging.WARNING)
    return reason


def check_resumable(runner, checkpoint: dict) -> None:
    """Refuse to *resume* from an mmcv-1 (MMSelfSup 0.x) checkpoint.

    Call from a hook's ``after_load_checkpoint`` (it runs before mmengine
    reads the runner state). Such a checkpoint has no ``message_hub`` or
    scheduler state (and no memory banks), so mmengine cannot continue its
    schedule; its weights load fine as ``load_from`` without ``resume``.
    """
    if not getattr(runner, '_resume', False) or 'message_hub' in checkpoint:
        return
    raise MMSelfSupCheckpointError(
        'The checkpoint to resume from has no message_hub (an mmcv-1 / '
        'MMSelfSup 0.x checkpoint, e.g. from resume_from=...): its '
        'iteration counters, scheduler and memory-bank state cannot be '
        'restored, so training cannot resume exactly from it. Continue '
        'from its weights instead: load_from=<checkpoint> with resume=False '
        '(memory banks are rebuilt before training).')


class MMSelfSupCheckpointMixin:
    """Make an algorithm accept MMSelfSup 0.x / 1.x state dicts.

    Put it first in the bases (``class ODC(MMSelfSupCheckpointMixin,
    BaseSelfSupervisor)``). Loading runs
    :func:`convert_mmselfsup_state_dict` on the model's part of the state
    dict before the usual loading, whichever entry point loads it (mmengine's
    ``load_checkpoint`` / ``Runner`` ``load_from`` / ``resume``, or
    ``load_state_dict``).
    """

    def _load_from_state_dict(self, state_dict, prefix, local_metadata,
                              strict, missing_keys, unexpected_keys,
                              error_msgs):
        convert_mmselfsup_state_dict(self, state_dict, prefix)
        super()._load_from_state_dict(state_dict, prefix, local_metadata,
                                      strict, missing_keys, unexpected_keys,
                                      error_msgs)
