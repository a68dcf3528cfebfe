"""Weighted k-nearest-neighbour classification of features.

The protocol of `Wu et al. 2018 (NPID) <https://arxiv.org/abs/1805.01978>`_
as used by MMSelfSup and DINO: cosine similarity between L2-normalised
features, the ``k`` most similar training samples vote for their class with
weight ``exp(similarity / T)``, the class with the largest summed weight wins.

Memory stays bounded at ImageNet scale (1.28M x 2048 training features):
queries are processed ``query_chunk`` at a time against ``train_chunk``
training rows at a time, keeping a running top-``max(k)``; the similarity
block never exceeds ``query_chunk x train_chunk`` floats.
"""
from typing import Dict, Optional, Sequence

import torch
import torch.nn.functional as F

from mmssl_ext.utils.finite import check_finite_rows

__all__ = ['knn_topk', 'knn_classify', 'rank_classes', 'knn_accuracy']


@torch.no_grad()
def knn_topk(train_feats: torch.Tensor,
             query_feats: torch.Tensor,
             k: int,
             query_chunk: int = 1024,
             train_chunk: int = 65536) -> (torch.Tensor, torch.Tensor):
    """Top-``k`` cosine neighbours of every query, chunked.

    NaN/Inf features (a diverged model) raise a ``ValueError``.

    Args:
        train_feats (Tensor): (N, D) training features (need not be normalised).
        query_feats (Tensor): (M, D) query features.
        k (int): number of neighbours, ``1 <= k <= N``.
        query_chunk (int): queries per block. Defaults to 1024.
        train_chunk (int): training rows per block. Defaults to 65536.

    Returns:
        tuple[Tensor, Tensor]: similarities (M, k) sorted descending and the
        matching training indices (M, k).
    """
    if train_feats.ndim != 2 or query_feats.ndim != 2:
        raise ValueError(f'Features must be 2-D (num, dim); got train '
                         f'{tuple(train_feats.shape)} and query '
                         f'{tuple(query_feats.shape)}.')
    if train_feats.shape[1] != query_feats.shape[1]:
        raise ValueError(f'Feature dims differ: train {train_feats.shape[1]} '
                         f'vs query {query_feats.shape[1]}; extract both with '
                         f'the same model and layer.')
    for name, feats in (('training', train_feats), ('query', query_feats)):
        check_finite_rows(
            feats, 'kNN', f'{name} features',
            'The model that extracted them has most likely diverged during '
            'training: evaluate an earlier checkpoint, or retrain with a '
            'lower learning rate.')
    num_train = train_feats.shape[0]
    if not 1 <= k <= num_train:
        raise ValueError(f'k={k} must be between 1 and the number of training '
                         f'samples ({num_train}); lower k or use more data.')
    train_feats = F.normalize(train_feats.float(), dim=1)
    query_feats = F.normalize(query_feats.float(), dim=1)
    all_sims, all_idx = [], []
    for q0 in range(0, query_feats.shape[0], query_chunk):
        query = query_feats[q0:q0 + query_chunk]
        best_sim = query.new_full((query.shape[0], 0), float('-inf'))
        best_idx = torch.empty((query.shape[0], 0), dtype=torch.long)
        for t0 in range(0, num_train, train_chunk):
            sims = query @ train_feats[t0:t0 + train_chunk].T
            kk = min(k, sims.shape[1])
            sim_blk, idx_blk = sims.topk(kk, dim=1)
            cand_sim = torch.cat([best_sim, sim_blk], dim=1)
            cand_idx = torch.cat([best_idx, idx_blk + t0], dim=1)
            keep = min(k, cand_sim.shape[1])
            best_sim, order = cand_sim.topk(keep, dim=1)
            best_idx = cand_idx.gather(1, order)
        all_sims.append(best_sim)
        all_idx.append(best_idx)
    return torch.cat(all_sims), torch.cat(all_idx)


def _vote(sims: torch.Tensor, labels: torch.Tensor, num_classes: int,
          temperature: float) -> torch.Tensor:
    """(M, k) neighbour similarities/labels -> (M, C) class scores."""
    weights = (sims / temperature).exp()
    scores = torch.zeros(sims.shape[0], num_classes, dtype=weights.dtype)
    scores.scatter_add_(1, labels, weights)
    return scores


@torch.no_grad()
def knn_classify(train_feats: torch.Tensor,
                 train_labels: torch.Tensor,
                 query_feats: torch.Tensor,
                 ks: Sequence[int] = (20, ),
                 temperature: float = 0.07,
                 num_classes: Optional[int] = None,
                 query_chunk: int = 1024,
                 train_chunk: int = 65536) -> Dict[int, torch.Tensor]:
    """Weighted kNN class scores for each ``k`` in ``ks``.

    Args:
        train_feats (Tensor): (N, D) training features.
        train_labels (Tensor): (N, ) integer labels.
        query_feats (Tensor): (M, D) features to classify.
        ks (Sequence[int]): neighbour counts. Defaults to (20, ).
        temperature (float): softmax temperature T. Defaults to 0.07.
        num_classes (int, optional): defaults to ``max(train_labels) + 1``.
        query_chunk (int): queries per block. Defaults to 1024.
        train_chunk (int): training rows per block. Defaults to 65536.

    Returns:
        dict[int, Tensor]: ``{k: (M, C) summed vote weights}``.
    """
    train_labels = torch.as_tensor(train_labels).long().view(-1)
    if train_labels.numel() != train_feats.shape[0]:
        raise ValueError(f'{train_feats.shape[0]} training features but '
                         f'{train_labels.numel()} labels.')
    if temperature <= 0:
        raise ValueError(f'temperature must be > 0, got {temperature}.')
    ks = sorted(set(int(k) for k in ks))
    if not ks:
        raise ValueError('ks is empty; pass at least one k, e.g. [20].')
    num_classes = num_classes or int(train_labels.max()) + 1
    sims, idx = knn_topk(train_feats, query_feats, ks[-1], query_chunk,
                         train_chunk)
    neighbour_labels = train_labels[idx]
    return {k: _vote(sims[:, :k], neighbour_labels[:, :k], num_classes,
                     temperature) for k in ks}


def rank_classes(scores: torch.Tensor) -> torch.Tensor:
    """Classes ordered by decreasing vote weight, ``(M, C)`` -> ``(M, C)``.

    The same call as the reference (``probs.sort(1, True)``), so tied classes
    (e.g. all zero-vote classes) come in the order torch's sort gives them:
    by increasing class index for up to 16 classes on CPU (insertion sort),
    implementation-defined beyond.
    """
    return scores.sort(dim=1, descending=True).indices


@torch.no_grad()
def knn_accuracy(train_feats: torch.Tensor,
                 train_labels: torch.Tensor,
                 query_feats: torch.Tensor,
                 query_labels: torch.Tensor,
                 ks: Sequence[int] = (20, ),
                 temperature: float = 0.07,
                 topk: Sequence[int] = (1, 5),
                 zero_vote_credit: bool = True,
                 **kwargs) -> Dict[str, float]:
    """Top-1/top-5 accuracy (%) of weighted kNN for each ``k``.

    As the reference (MMSelfSup's ``knn_classifier``, from DINO's
    ``eval_knn.py``): all classes are ranked by their summed vote weights
    (:func:`rank_classes`) and a query counts for top-``t`` when its class is
    among the first ``min(t, k)`` (top-5 "does not make sense if k < 5": with
    k = 1 top-5 equals top-1).

    Args:
        train_feats, train_labels, query_feats: see :func:`knn_classify`.
        query_labels (Tensor): (M, ) true labels of the queries.
        ks (Sequence[int]): neighbour counts. Defaults to (20, ).
        temperature (float): vote temperature. Defaults to 0.07.
        topk (Sequence[int]): accuracies to report. Defaults to (1, 5).
        zero_vote_credit (bool): as the reference, a class that got no vote
            still counts when ties put it among the first ``min(t, k)``
            (this happens when the k neighbours span fewer classes than
            that). False never credits a zero-vote class. Defaults to True.
        **kwargs: ``num_classes``, ``query_chunk``, ``train_chunk`` of
            :func:`knn_classify`.

    Returns:
        dict[str, float]: e.g. ``{'k20_top1': 81.2, 'k20_top5': 98.0}``.
    """
    query_labels = torch.as_tensor(query_labels).long().view(-1)
    if query_labels.numel() != query_feats.shape[0]:
        raise ValueError(f'{query_feats.shape[0]} query features but '
                         f'{query_labels.numel()} labels.')
    scores = knn_classify(train_feats, train_labels, query_feats, ks,
                          temperature, **kwargs)
    results = {}
    for k, score in scores.items():
        hits = rank_classes(score) == query_labels[:, None]  # (M, C)
        if not zero_vote_credit:
            voted = score.gather(1, query_labels[:, None].clamp(
                max=score.shape[1] - 1)) > 0
            hits &= voted
        for t in topk:
            correct = hits[:, :min(t, k)].any(dim=1)
            results[f'k{k}_top{t}'] = correct.float().mean().item() * 100
    return results
