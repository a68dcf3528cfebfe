"""The distributed primitives of mmssl_ext, in one place.

Everything here works with one process (no communication, the input comes
back) and with N processes of any backend (gloo on CPU, NCCL on GPU). Every
function is a collective: call it on every rank, in the same order.

* :func:`all_gather_rows` - rank-ordered concatenation of ``(B_r, ...)``
  tensors whose ``B_r`` may differ per rank (the last batch of an epoch,
  ``round_up=False`` samplers).
* :func:`last_occurrence` - where each distinct index occurs last in a
  batch, so a global batch that holds a sample twice (padded samplers,
  several ranks) updates per-sample state once and the same way on every
  rank.
* :func:`all_gather_unique_rows` - both in one step: the global batch of
  ``(index, rows)``, each index once.

Gathers of whole datasets (feature extraction) live with the extraction
function; picklable objects go through ``mmengine.dist.all_gather_object`` /
``broadcast_object_list`` directly.
"""
from typing import List, Tuple

import torch
from mmengine.dist import all_gather, get_world_size


def all_gather_rows(tensor: torch.Tensor) -> torch.Tensor:
    """All-gather ``(B_r, ...)`` tensors of possibly different ``B_r``.

    Each rank's rows are padded to the largest ``B_r`` for the exchange and
    cut back afterwards, so ranks may hold batches of different sizes (also
    empty ones); the trailing dimensions and the dtype must agree.

    Args:
        tensor (Tensor): ``(B_r, ...)`` this rank's rows.

    Returns:
        Tensor: ``(sum_r B_r, ...)``, rank 0's rows first; the input itself
        with one process.
    """
    if get_world_size() == 1:
        return tensor
    size = torch.tensor([tensor.shape[0]], device=tensor.device)
    sizes: List[int] = [int(s) for s in torch.cat(all_gather(size)).tolist()]
    padded = tensor.new_zeros((max(sizes), *tensor.shape[1:]))
    padded[:tensor.shape[0]] = tensor
    parts = all_gather(padded)
    return torch.cat([part[:n] for part, n in zip(parts, sizes)], dim=0)


def last_occurrence(idx: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
    """The distinct values of ``idx`` and the position of each one's last
    occurrence.

    Args:
        idx (Tensor): ``(N,)`` integer indices.

    Returns:
        tuple[Tensor, Tensor]: ``uniq`` ``(U,)`` sorted distinct values and
        ``pos`` ``(U,)`` with ``idx[pos] == uniq`` and ``pos`` the largest
        such position.
    """
    uniq, inverse = torch.unique(idx, return_inverse=True)
    order = torch.arange(idx.numel(), device=idx.device)
    pos = torch.full((uniq.numel(), ), -1, dtype=torch.long,
                     device=idx.device)
    pos = pos.scatter_reduce(0, inverse, order, reduce='amax')
    return uniq, pos


def all_gather_unique_rows(idx: torch.Tensor, rows: torch.Tensor
                           ) -> Tuple[torch.Tensor, torch.Tensor]:
    """The global batch of ``(idx, rows)`` pairs, each index once.

    Gathers both from every rank (:func:`all_gather_rows`, batches may differ
    in size) and keeps, for an index that occurs several times, its last
    occurrence in rank order, then batch order (:func:`last_occurrence`).
    The result is identical on every rank.

    Args:
        idx (Tensor): ``(B_r,)`` integer indices of this rank's batch.
        rows (Tensor): ``(B_r, ...)`` their values.

    Returns:
        tuple[Tensor, Tensor]: ``(U,)`` sorted distinct indices and their
        ``(U, ...)`` rows.
    """
    if idx.shape[0] != rows.shape[0]:
        raise ValueError(f'{idx.shape[0]} indices for {rows.shape[0]} rows.')
    idx = all_gather_rows(idx)
    rows = all_gather_rows(rows)
    uniq, pos = last_occurrence(idx)
    return uniq, rows[pos]
