"""2 processes with batches of different sizes: the distributed primitives
and both memories.

Rank 0 holds 3 samples, rank 1 holds 1 (and an empty batch in a second
step); index 2 occurs on both ranks, so rank 1's row must win.

Usage (through tests.helpers.run_distributed): uneven_batches_ddp.py WORK_DIR
"""
import os.path as osp
import sys

import torch
import torch.distributed as dist

from tests.test_utils.test_dist import uneven_batch


def main():
    work_dir = sys.argv[1]
    dist.init_process_group('gloo')
    rank = dist.get_rank()
    from mmssl_ext.models.memories import ODCMemory, SimpleMemory
    from mmssl_ext.utils.dist import (all_gather_rows,
                                      all_gather_unique_rows,
                                      gather_rows_chunked)

    idx, feats = uneven_batch(rank)
    out = dict(rows=all_gather_rows(feats),
               empty=all_gather_rows(feats[:0] if rank else feats))
    # 16-byte pieces: one row (4 float32) per exchange, 3 exchanges
    out['chunked_all'] = gather_rows_chunked(feats, dst=None, max_bytes=16)
    out['chunked_0'] = gather_rows_chunked(feats, dst=0, max_bytes=16)
    out['chunked_none'] = gather_rows_chunked(feats[:0], dst=None)
    out['uniq_idx'], out['uniq_rows'] = all_gather_unique_rows(idx, feats)

    simple = SimpleMemory(length=6, feat_dim=4, momentum=0.3)
    simple.update(idx, feats)
    out['simple_bank'] = simple.feature_bank.clone()

    odc = ODCMemory(length=6, feat_dim=4, num_classes=2, momentum=0.3,
                    min_cluster=1)
    init = torch.arange(24, dtype=torch.float32).view(6, 4).cos()
    odc.init_memory(init, torch.tensor([0, 1, 0, 1, 0, 1]))
    out['odc_ratio'] = odc.update_samples_memory(idx, feats)
    out['odc_bank'] = odc.feature_bank.clone()
    out['odc_labels'] = odc.label_bank.clone()
    # a step with an empty batch on rank 1 and a NaN on rank 0: nothing is
    # written on either rank, and both count it
    bad = feats.clone()
    if rank == 0:
        bad[0, 0] = float('nan')
        odc.update_samples_memory(idx, bad)
    else:
        odc.update_samples_memory(idx[:0], bad[:0])
    out['odc_bank_after_nan'] = odc.feature_bank.clone()
    out['odc_nonfinite'] = odc.nonfinite_steps.clone()
    torch.save(out, osp.join(work_dir, f'rank{rank}.pt'))
    dist.barrier()
    dist.destroy_process_group()


if __name__ == '__main__':
    main()
