"""2-process NPID: both ranks must hold the same bank after training.

Usage (through tests.helpers.run_distributed): npid_ddp.py DATA_ROOT WORK_DIR
"""
import os.path as osp
import sys

import torch
import torch.distributed as dist
from mmengine.runner import Runner

from tests.helpers import tiny_cfg

CFG = 'configs/npid/npid_resnet18-cifar-w16_1xb64-steplr-2e_fashion-mnist.py'


def main():
    data_root, work_dir = sys.argv[1:3]
    dist.init_process_group('gloo')
    rank = dist.get_rank()
    cfg = tiny_cfg(CFG, data_root, work_dir, max_iters=3, distributed=True)
    cfg.model.memory_bank.length = 256
    cfg.model.neg_num = 64
    cfg.randomness = dict(seed=0, diff_rank_seed=True)
    runner = Runner.from_cfg(cfg)
    bank = runner.model.module.memory_bank.feature_bank
    torch.save(bank.clone(), osp.join(work_dir, f'bank_init_rank{rank}.pt'))
    runner.train()
    torch.save(bank.clone(), osp.join(work_dir, f'bank_rank{rank}.pt'))
    dist.barrier()
    dist.destroy_process_group()


if __name__ == '__main__':
    main()
