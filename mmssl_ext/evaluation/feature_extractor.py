"""Features of a whole dataset: the one extraction path.

:func:`extract_features` serves the kNN tool and ``KNNEvalHook``, the
DeepCluster/ODC clustering hook and the memory-bank rebuild, the VOC07 SVM
benchmark and the t-SNE tool. It works in one process and under
``torch.distributed``: each rank runs its shard of a sequential sampler
(``DefaultSampler(shuffle=False)``), features move to the CPU per batch, and
the shards are gathered -- to rank 0, or to every rank with
``everywhere=True`` -- in chunks of at most ``chunk_bytes`` received per
collective, then put in dataset order (padding repeats of ``round_up`` and
uneven shards are handled). At ImageNet scale (1.28M x 2048 float32 =
10.5 GB) only the receiving rank holds the matrix and no single message
exceeds the bound.

What is extracted (``layer``): a backbone output index (pooled globally),
a ResNet level name ``'feat1'`` ... ``'feat5'`` (the backbone built as its
``*Feats`` variant, :data:`FEATS_BACKBONES`; :func:`feature_backbone_cfg`),
``'neck'`` (the neck's last output), or any ``feat_fn``.

The function changes no random generator itself beyond what iterating the
dataloader draws, and touches no BatchNorm buffer (the model runs in eval
mode and gets its mode back): callers that must leave training untouched
wrap it (``KNNEvalHook`` restores every generator and each rank's buffers).
"""
import functools
from typing import Callable, List, Optional, Sequence, Union

import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.dist import all_gather, gather, get_dist_info
from mmengine.runner import Runner
from mmengine.runner.utils import set_random_seed
from mmpretrain.models.utils import SelfSupDataPreprocessor
from mmpretrain.registry import MODELS
from mmpretrain.utils import get_ori_model

from mmssl_ext.compat.build_dataloader import strip_scope
from mmssl_ext.models.backbones.resnet_feats import FEAT_NAMES, feat_indices
from mmssl_ext.models.utils.backbone_checkpoint import load_backbone

__all__ = ['FEATS_BACKBONES', 'feature_backbone_cfg',
           'build_model_for_extraction', 'load_backbone_weights',
           'extract_features', 'dataset_labels']

#: backbone type -> the variant with the same weights that returns the five
#: ResNet levels feat1 (stem before max-pool) ... feat5 (last stage)
FEATS_BACKBONES = {
    'ResNet': 'ResNetFeats',
    'ResNetV1c': 'ResNetFeats',
    'ResNetV1d': 'ResNetFeats',
    'ResNetFeats': 'ResNetFeats',
    'ResNet_CIFAR': 'ResNetFeats_CIFAR',
    'ResNetFeats_CIFAR': 'ResNetFeats_CIFAR',
}
#: bytes one gathering collective delivers to a receiving rank at the most
CHUNK_BYTES = 256 << 20

Layer = Union[int, str]


def feature_backbone_cfg(backbone_cfg: dict, layers: Sequence[str]) -> dict:
    """``backbone_cfg`` rebuilt to return the ResNet levels ``layers``.

    The type goes through :data:`FEATS_BACKBONES` (same parameter names, so
    checkpoints load unchanged) with ``out_indices`` the levels, in order;
    ``init_cfg`` and ``frozen_stages`` are dropped (weights come from the
    checkpoint, extraction runs in eval mode). A backbone not in the table
    can only give its last output, ``'feat5'``.

    Raises:
        ValueError: an unknown level name, or levels other than feat5 of a
            backbone without a ``*Feats`` variant.
    """
    indices = feat_indices(layers)
    cfg = dict(backbone_cfg)
    cfg.pop('init_cfg', None)
    cfg.pop('frozen_stages', None)
    feats_type = FEATS_BACKBONES.get(str(cfg['type']).split('.')[-1])
    if feats_type:
        cfg.update(type=feats_type, out_indices=indices)
    elif list(layers) != ['feat5']:
        raise ValueError(
            f'Feature layers {list(layers)} need a ResNet backbone (one of '
            f'{sorted(FEATS_BACKBONES)}); {cfg["type"]} gives only its last '
            f'output: use "feat5".')
    return cfg


def build_model_for_extraction(cfg: Config,
                               checkpoint: Optional[str] = None,
                               seed: Optional[int] = None,
                               layers: Optional[Sequence[str]] = None
                               ) -> torch.nn.Module:
    """Build ``cfg.model``, initialise it and optionally load weights.

    Args:
        cfg (Config): a full config (pretraining or classification).
        checkpoint (str, optional): an mmengine checkpoint of the same model
            (``state_dict`` keys ``backbone.*``...) or an extracted backbone
            (keys without prefix). ``None`` keeps the random initialisation.
        seed (int, optional): seed for the random initialisation; defaults to
            ``cfg.randomness.seed`` so "random init" matches the run's start.
        layers (Sequence[str], optional): ResNet levels (``'feat1'`` ...
            ``'feat5'``) the backbone must return
            (:func:`feature_backbone_cfg`). Defaults to the config's outputs.

    Returns:
        nn.Module: the model in eval mode.
    """
    if seed is None:
        seed = cfg.get('randomness', {}).get('seed', 0) or 0
    set_random_seed(seed)
    model_cfg = cfg.model.copy()
    if 'data_preprocessor' not in model_cfg and 'data_preprocessor' in cfg:
        model_cfg['data_preprocessor'] = cfg.data_preprocessor
    if layers is not None:
        model_cfg['backbone'] = feature_backbone_cfg(model_cfg['backbone'],
                                                     layers)
    model = MODELS.build(model_cfg)
    model.init_weights()
    if checkpoint is not None:
        load_backbone_weights(model.backbone, checkpoint,
                              model.data_preprocessor)
    return model.eval()


def load_backbone_weights(backbone: torch.nn.Module, checkpoint: str,
                          data_preprocessor=None) -> None:
    """Load a full checkpoint (``backbone.*`` keys) or an extracted backbone,
    strictly (:func:`mmssl_ext.models.utils.backbone_checkpoint.load_backbone`:
    a missing, unexpected or reshaped tensor is an error naming the keys).
    MMSelfSup checkpoints are accepted: their Sobel layer is dropped, after
    checking that ``data_preprocessor`` (if given) computes the same input.
    """
    load_backbone(backbone, checkpoint, data_preprocessor=data_preprocessor)


def dataset_labels(dataset) -> torch.Tensor:
    """Ground-truth labels of a labelled mmpretrain dataset as (N, ) long."""
    try:
        labels = dataset.get_gt_labels()
    except (KeyError, AttributeError) as exc:
        raise ValueError(
            f'{type(dataset).__name__} has no labels; the kNN benchmark needs '
            f'a labelled split (e.g. CustomDataset with ann_file '
            f'meta/train.txt or the subfolder layout).') from exc
    return torch.as_tensor(labels).long()


# --------------------------------------------------------------------------
# what is extracted
# --------------------------------------------------------------------------
def _pool(x: torch.Tensor) -> torch.Tensor:
    """``(N, C, H, W) -> (N, C)`` global average; other shapes flattened."""
    if x.ndim == 4:
        x = F.adaptive_avg_pool2d(x, 1)
    return x.flatten(1)


def _output_position(backbone: torch.nn.Module, name: str) -> int:
    """Index of ResNet level ``name`` in ``backbone``'s outputs."""
    level = feat_indices([name])[0]
    out_indices = getattr(backbone, 'out_indices', None)
    kind = type(backbone).__name__
    if kind.startswith('ResNetFeats'):
        positions = list(out_indices)
    elif kind in FEATS_BACKBONES and out_indices is not None:
        positions = [i + 1 for i in out_indices]  # stage i is level i + 1
    else:
        positions = []
    if level not in positions:
        raise ValueError(
            f'The backbone ({kind}, out_indices={out_indices}) does not '
            f'return {name}: build it with build_model_for_extraction(..., '
            f"layers=['{name}']) (its ResNetFeats variant) or use an output "
            f'index.')
    return positions.index(level)


def _layer_fn(module: torch.nn.Module, layer: Layer) -> Callable:
    """``inputs -> (N, D)`` features of one layer of ``module``."""
    if layer == 'neck':
        return lambda x: _pool(module.neck(module.backbone(x))[-1])
    if isinstance(layer, str):
        if layer not in FEAT_NAMES:
            raise ValueError(f'Unknown layer {layer!r}: use an output index, '
                             f'one of {list(FEAT_NAMES)} or "neck".')
        index = _output_position(module.backbone, layer)
    else:
        index = int(layer)

    def fn(x):
        outs = module.backbone(x)
        return _pool(outs[index] if isinstance(outs, (tuple, list)) else outs)
    return fn


def _feature_fn(module, layer, raw_pixels: bool) -> Callable:
    if raw_pixels:
        return lambda x: x.flatten(1)
    if not isinstance(layer, (list, tuple)):
        return _layer_fn(module, layer)
    if any(name == 'neck' for name in layer):
        fns = [_layer_fn(module, name) for name in layer]
        return lambda x: tuple(fn(x) for fn in fns)
    # backbone levels only: one backbone pass for all of them
    positions = [_output_position(module.backbone, name)
                 if isinstance(name, str) else int(name) for name in layer]

    def fn(x):
        outs = module.backbone(x)
        return tuple(_pool(outs[p]) for p in positions)
    return fn


def _preprocessor(module) -> Callable:
    pre = module.data_preprocessor
    if getattr(pre, 'pretext_views_only', False):
        # RotationPred / RelativeLoc: their preprocessors build the pretext
        # batch from several views; extraction reads single images, which
        # only need the normalisation of SelfSupDataPreprocessor.
        pre = functools.partial(SelfSupDataPreprocessor.forward, pre)
    return pre


# --------------------------------------------------------------------------
# gathering
# --------------------------------------------------------------------------
def _sample_indices(dataloader) -> torch.Tensor:
    """Dataset indices this rank's loader visits, in order."""
    sampler = dataloader.sampler
    if getattr(sampler, 'shuffle', False) or isinstance(
            sampler, torch.utils.data.RandomSampler):
        raise ValueError(
            f'Feature extraction needs a sequential sampler; the dataloader '
            f'shuffles ({type(sampler).__name__}): set sampler=dict('
            f"type='DefaultSampler', shuffle=False).")
    return torch.tensor(list(iter(sampler)), dtype=torch.long)


def _gather_rows(local: torch.Tensor, indices: torch.Tensor, num_rows: int,
                 everywhere: bool, chunk_bytes: int
                 ) -> Optional[torch.Tensor]:
    """Put every rank's ``(n_r, D)`` rows at their dataset ``indices`` of an
    ``(num_rows, D)`` matrix on rank 0 (or every rank), one bounded chunk
    per collective."""
    rank, world = get_dist_info()
    receiver = everywhere or rank == 0
    if world > 1:
        sizes = torch.stack(all_gather(torch.tensor(
            [local.shape[0], local.shape[1] if local.numel() else -1])))
        max_rows, dim = int(sizes[:, 0].max()), int(sizes[:, 1].max())
    else:
        max_rows, dim = local.shape[0], local.shape[1]
    out = torch.zeros(num_rows, max(dim, 0)) if receiver else None
    filled = torch.zeros(num_rows, dtype=torch.bool) if receiver else None
    if world > 1 and local.numel() == 0:
        local = torch.zeros(0, dim)
    rows = max(1, chunk_bytes // (4 * max(dim, 1) * world))
    for start in range(0, max_rows, rows):
        size = min(rows, max_rows - start)
        piece, ind = local[start:start + size], indices[start:start + size]
        if world == 1:
            parts, inds = [piece], [ind]
        else:
            pad = size - piece.shape[0]  # uneven shards: pad, index -1
            piece = torch.cat([piece, piece.new_zeros(pad, dim)])
            ind = torch.cat([ind, ind.new_full((pad, ), -1)])
            collect = all_gather if everywhere else functools.partial(
                gather, dst=0)
            parts, inds = collect(piece), collect(ind)
        if receiver:
            for part, i in zip(parts, inds):
                keep = i >= 0
                # round_up padding repeats samples: equal rows, any order
                out[i[keep]] = part[keep].cpu()
                filled[i[keep]] = True
    if receiver and not bool(filled.all()):
        missing = torch.nonzero(~filled).flatten()[:5].tolist()
        raise ValueError(
            f'The dataloader\'s sampler skipped {int((~filled).sum())} of '
            f'{num_rows} samples (e.g. {missing}): extraction needs every '
            f"sample once; use sampler=dict(type='DefaultSampler', "
            f'shuffle=False) without drop_last.')
    return out


@torch.no_grad()
def extract_features(model: torch.nn.Module,
                     dataloader,
                     layer: Union[Layer, Sequence[Layer]] = -1,
                     raw_pixels: bool = False,
                     *,
                     feat_fn: Optional[Callable] = None,
                     everywhere: bool = False,
                     chunk_bytes: int = CHUNK_BYTES
                     ) -> Union[torch.Tensor, List[torch.Tensor], None]:
    """Features of every sample of ``dataloader.dataset``, in dataset order.

    Args:
        model (nn.Module): a model (or its DDP wrapper) with a
            ``data_preprocessor`` and the modules ``layer`` needs
            (``backbone``, ``neck``).
        dataloader (DataLoader | dict): a dataloader or its config; its
            sampler must not shuffle (``DefaultSampler(shuffle=False)``,
            rank-sharded under ``torch.distributed``).
        layer (int | str | list): what to extract: a backbone output index
            (globally average-pooled), ``'feat1'`` ... ``'feat5'`` (ResNet
            levels, see :func:`build_model_for_extraction`'s ``layers``),
            ``'neck'``, or a list of those (one backbone pass, a list of
            results). Defaults to -1 (last backbone output).
        raw_pixels (bool): the normalised input pixels, flattened, instead.
            Defaults to False.
        feat_fn (callable, optional): ``inputs (N, C, H, W) -> (N, D)`` tensor
            or a tuple of such; replaces ``layer``.
        everywhere (bool): return the features on every rank (for state
            every rank holds, e.g. memory banks). Defaults to False.
        chunk_bytes (int): bytes one gathering collective delivers to a
            receiving rank at the most. Defaults to 256 MB.

    Returns:
        Tensor | list[Tensor] | None: ``(N, D)`` float32 CPU features (a list
        for several layers or a tuple-valued ``feat_fn``) on rank 0, or on
        every rank with ``everywhere``; ``None`` on the other ranks.
    """
    if isinstance(dataloader, dict):
        dataloader = Runner.build_dataloader(strip_scope(dataloader))
    module = get_ori_model(model)
    fn = feat_fn or _feature_fn(module, layer, raw_pixels)
    pre = _preprocessor(module)
    indices = _sample_indices(dataloader)
    was_training = module.training
    module.eval()
    chunks, several = [], False
    try:
        for data in dataloader:
            inputs = pre(data, False)['inputs']  # also moves to the device
            if isinstance(inputs, (list, tuple)):
                inputs = inputs[0]
            outs = fn(inputs)
            several = isinstance(outs, (tuple, list))
            outs = outs if several else (outs, )
            chunks.append([o.float().flatten(1).cpu() for o in outs])
    finally:
        module.train(was_training)
    if chunks:
        dims = [o.shape[1] for o in chunks[0]]
        local = torch.cat([torch.cat(c, dim=1) for c in chunks])
    else:  # an empty shard (fewer samples than ranks)
        dims, local = [], torch.zeros(0, 0)
    if local.shape[0] != len(indices):
        raise ValueError(
            f'The dataloader gave {local.shape[0]} samples for the '
            f'{len(indices)} indices of its sampler (drop_last or a batch '
            f'sampler that skips samples?): extraction needs every sample.')
    full = _gather_rows(local, indices, len(dataloader.dataset), everywhere,
                        chunk_bytes)
    if full is None:
        return None
    if not dims:  # this rank had no batches: split by the gathered width
        return full
    parts = list(torch.split(full, dims, dim=1))
    return parts if several else parts[0]
