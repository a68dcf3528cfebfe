"""2 processes: a step that fails on rank 0 inside ``on_rank0`` stops both
ranks (rank 0 with the original error, rank 1 with Rank0Error) instead of
rank 1 hanging at the next collective; a step that succeeds returns its
result on rank 0 only.

Usage (through tests.helpers.run_distributed): rank0_failure_ddp.py WORK_DIR
"""
import os.path as osp
import sys

import torch
import torch.distributed as dist


def main():
    work_dir = sys.argv[1]
    dist.init_process_group('gloo')
    rank = dist.get_rank()
    from mmssl_ext.utils.dist import Rank0Error, on_rank0

    ok = on_rank0(lambda: 41 + 1, 'a step')

    def fail():
        raise FloatingPointError('NaN features')

    try:
        on_rank0(fail, 'k-means')
        outcome = 'no error'
    except FloatingPointError as exc:
        outcome = f'FloatingPointError: {exc}'
    except Rank0Error as exc:
        outcome = f'Rank0Error: {exc}'
    # both ranks still talk to each other afterwards (nobody hangs)
    t = torch.tensor([rank])
    dist.all_reduce(t)
    torch.save(dict(ok=ok, outcome=outcome, total=int(t)),
               osp.join(work_dir, f'rank{rank}.pt'))
    dist.destroy_process_group()


if __name__ == '__main__':
    main()
