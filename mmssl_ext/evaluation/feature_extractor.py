"""Extract globally pooled backbone features of a dataset with mmengine.

Used by the kNN benchmark and the demo. Works in one process and under
``torch.distributed``: the dataloader is sharded with a non-shuffling
``DefaultSampler`` and the shards are put back in dataset order with
:func:`mmengine.dist.collect_results` on rank 0, in the order of
``dataset[i]``.
"""
import functools
import re
from typing import Optional

import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.dist import collect_results, get_rank
from mmengine.model import is_model_wrapper
from mmengine.runner import CheckpointLoader, Runner
from mmengine.runner.utils import set_random_seed

from mmpretrain.models.utils import SelfSupDataPreprocessor
from mmpretrain.registry import MODELS
from mmssl_ext.compat.build_dataloader import strip_scope
from mmssl_ext.models.utils.mmselfsup_checkpoint import (check_sobel_input,
                                                         split_sobel)

__all__ = ['build_model_for_extraction', 'load_backbone_weights',
           'extract_features', 'dataset_labels']


def build_model_for_extraction(cfg: Config,
                               checkpoint: Optional[str] = None,
                               seed: Optional[int] = None) -> torch.nn.Module:
    """Build ``cfg.model``, initialise it and optionally load weights.

    Args:
        cfg (Config): a full config (pretraining or classification).
        checkpoint (str, optional): an mmengine checkpoint of the same model
            (``state_dict`` keys ``backbone.*``...) or an extracted backbone
            (keys without prefix). ``None`` keeps the random initialisation.
        seed (int, optional): seed for the random initialisation; defaults to
            ``cfg.randomness.seed`` so "random init" matches the run's start.

    Returns:
        nn.Module: the model in eval mode.
    """
    if seed is None:
        seed = cfg.get('randomness', {}).get('seed', 0) or 0
    set_random_seed(seed)
    model_cfg = cfg.model.copy()
    if 'data_preprocessor' not in model_cfg and 'data_preprocessor' in cfg:
        model_cfg['data_preprocessor'] = cfg.data_preprocessor
    model = MODELS.build(model_cfg)
    model.init_weights()
    if checkpoint is not None:
        load_backbone_weights(model.backbone, checkpoint,
                              model.data_preprocessor)
    return model.eval()


def load_backbone_weights(backbone: torch.nn.Module, checkpoint: str,
                          data_preprocessor=None) -> None:
    """Load a full checkpoint (``backbone.*`` keys) or an extracted backbone.

    Unlike ``init_cfg=dict(type='Pretrained')``, which loads non-strictly and
    only warns, a missing or unexpected backbone tensor is an error here.
    MMSelfSup checkpoints are accepted: their Sobel layer is dropped, after
    checking that ``data_preprocessor`` (if given) computes the same input.
    """
    ckpt = CheckpointLoader.load_checkpoint(checkpoint, map_location='cpu')
    state = ckpt.get('state_dict', ckpt) if isinstance(ckpt, dict) else None
    if not isinstance(state, dict) or not state:
        raise ValueError(f'{checkpoint} holds no state_dict; pass an mmengine '
                         f'checkpoint or an extracted backbone.')
    state = {re.sub(r'^module\.', '', k): v for k, v in state.items()}
    sobel = split_sobel(state)
    if sobel is not None and data_preprocessor is not None:
        check_sobel_input(sobel, data_preprocessor)
    if any(k.startswith('backbone.') for k in state):
        state = {k[len('backbone.'):]: v for k, v in state.items()
                 if k.startswith('backbone.')}
    own = backbone.state_dict()
    missing = sorted(set(own) - set(state))
    unexpected = sorted(set(state) - set(own))
    if missing or unexpected:
        raise KeyError(
            f'{checkpoint} does not match the backbone of the config: '
            f'{len(missing)} missing (e.g. {missing[:3]}), {len(unexpected)} '
            f'unexpected (e.g. {unexpected[:3]}). Use a checkpoint of the '
            f'same backbone as the config.')
    backbone.load_state_dict(state, strict=True)


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


@torch.no_grad()
def extract_features(model: torch.nn.Module,
                     dataloader,
                     layer: int = -1,
                     raw_pixels: bool = False) -> torch.Tensor:
    """Features of every sample of ``dataloader.dataset``, in dataset order.

    Args:
        model (nn.Module): a model with ``data_preprocessor`` and ``backbone``.
        dataloader (DataLoader | dict): a dataloader or its config; it must
            not shuffle (``DefaultSampler(shuffle=False)``).
        layer (int): which backbone output to pool. Defaults to -1 (last).
        raw_pixels (bool): return the normalised input pixels, flattened,
            instead of backbone features. Defaults to False.

    Returns:
        Tensor | None: (N, D) float32 features on CPU on rank 0; ``None`` on
        the other ranks (at ImageNet scale the matrix is ~10 GB: only the
        rank that classifies holds it).
    """
    if isinstance(dataloader, dict):
        dataloader = Runner.build_dataloader(strip_scope(dataloader))
    module = model.module if is_model_wrapper(model) else model
    module.eval()
    pre = module.data_preprocessor
    if getattr(pre, 'pretext_views_only', False):
        # RotationPred / RelativeLoc: their preprocessors build the pretext
        # batch from several views; extraction reads single images, which
        # only need the normalisation of SelfSupDataPreprocessor.
        pre = functools.partial(SelfSupDataPreprocessor.forward, pre)
    feats = []
    for data in dataloader:
        data = pre(data, False)  # also moves to device
        inputs = data['inputs']
        if raw_pixels:
            out = inputs.flatten(1)
        else:
            outs = module.backbone(inputs)
            out = outs[layer] if isinstance(outs, (tuple, list)) else outs
            if out.ndim == 4:
                out = F.adaptive_avg_pool2d(out, 1).flatten(1)
        feats.extend(out.float().cpu().unbind(0))
    gathered = collect_results(feats, len(dataloader.dataset), device='cpu')
    return torch.stack(gathered) if get_rank() == 0 else None
