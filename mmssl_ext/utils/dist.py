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
* :func:`gather_rows_chunked` - the same concatenation for large tensors
  (a whole dataset's features), on one rank or on all, exchanged in pieces
  of bounded size.
* :func:`on_rank0` - run a step on rank 0 only (k-means, say) and make a
  failure there an error on every rank instead of a hang at the next
  collective.

Picklable objects go through ``mmengine.dist.all_gather_object`` /
``broadcast_object_list`` directly.
"""
import math
from typing import Any, Callable, List, Optional, Tuple

import torch
from mmengine.dist import (all_gather, broadcast, gather, get_dist_info,
                           get_world_size)


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
    return gather_rows_chunked(tensor, dst=None, max_bytes=None)


def gather_rows_chunked(tensor: torch.Tensor,
                        dst: Optional[int] = 0,
                        max_bytes: Optional[int] = 256 << 20
                        ) -> Optional[torch.Tensor]:
    """Rank-ordered concatenation of ``(B_r, ...)`` rows, sent in pieces.

    Like :func:`all_gather_rows` (``B_r`` may differ per rank), but each
    exchange carries at most about ``max_bytes`` per rank, so gathering a
    whole dataset's features never needs ``world_size`` padded copies of it
    in flight at once.

    Args:
        tensor (Tensor): ``(B_r, ...)`` this rank's rows.
        dst (int, optional): the rank that receives the result; None gives
            it to every rank. Defaults to 0.
        max_bytes (int, optional): bound of one piece per rank; None sends
            everything at once. Defaults to 256 MB.

    Returns:
        Tensor | None: ``(sum_r B_r, ...)`` on the receiving rank(s), None
        on the others; the input itself with one process.
    """
    rank, world_size = get_dist_info()
    if world_size == 1:
        return tensor
    size = torch.tensor([tensor.shape[0]], device=tensor.device)
    sizes: List[int] = [int(s) for s in torch.cat(all_gather(size)).tolist()]
    # from the trailing shape, which all ranks share (B_r may be 0)
    row_bytes = max(1, math.prod(tensor.shape[1:]) * tensor.element_size())
    rows = max(sizes) if max_bytes is None else max_bytes // row_bytes
    rows = max(1, rows)
    receive = dst is None or rank == dst
    pieces: List[List[torch.Tensor]] = [[] for _ in range(world_size)]
    for start in range(0, max(sizes), rows):
        num = min(rows, max(sizes) - start)
        padded = tensor.new_zeros((num, *tensor.shape[1:]))
        own = tensor[start:start + num]
        padded[:own.shape[0]] = own
        parts = all_gather(padded) if dst is None else gather(padded, dst)
        if receive:
            for r, part in enumerate(parts):
                pieces[r].append(part[:max(0, min(num, sizes[r] - start))])
    if not receive:
        return None
    return torch.cat([tensor[:0]] +
                     [p for rank_pieces in pieces for p in rank_pieces])


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


class Rank0Error(RuntimeError):
    """Raised on the other ranks when :func:`on_rank0`'s step failed on
    rank 0 (rank 0 raises the original exception)."""


def on_rank0(fn: Callable[[], Any], what: str,
             device: Optional[torch.device] = None) -> Any:
    """Call ``fn()`` on rank 0 only; its result there, None elsewhere.

    Rank 0 then broadcasts whether ``fn`` succeeded, so when it raised
    (NaN features refused by k-means, a full disk, ...) every rank stops
    with an error naming the step, instead of the other ranks waiting at
    the next collective until the process group times out.

    Args:
        fn (callable): the step, without arguments.
        what (str): the step's name for the other ranks' message.
        device (torch.device, optional): where the one-element status tensor
            lives (the model's device: NCCL needs CUDA tensors). Defaults to
            the CPU.

    Returns:
        Any: ``fn()`` on rank 0, None on the other ranks.
    """
    rank, world_size = get_dist_info()
    if world_size == 1:
        return fn()
    result, error = None, None
    if rank == 0:
        try:
            result = fn()
        except Exception as exc:  # re-raised below, after telling the others
            error = exc
    failed = torch.tensor([0 if error is None else 1], device=device)
    broadcast(failed, 0)
    if error is not None:
        raise error
    if int(failed.item()):
        raise Rank0Error(f'{what} failed on rank 0 (its log has the '
                         f'error); rank {rank} stops too.')
    return result
