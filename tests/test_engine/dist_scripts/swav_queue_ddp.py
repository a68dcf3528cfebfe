"""2-process SwAV: train 3 iterations saving at 2, then resume from iter 2;
each rank must get its own queue back.

Usage (through tests.helpers.run_distributed): swav_queue_ddp.py DATA WORK
"""
import os.path as osp
import sys

import torch
import torch.distributed as dist
from mmengine.runner import Runner

from tests.test_engine.test_swav_queue_hook import swav_cfg
from tests.test_models.dist_scripts.classic_common import RecordHook


def main():
    data_root, work_dir = sys.argv[1:3]
    dist.init_process_group('gloo')
    rank = dist.get_rank()

    def save_queue(name):
        def fn(runner):
            queue = runner.model.module.head.loss_module.queue
            torch.save(queue.clone(), osp.join(work_dir, f'{name}_rank{rank}_'
                                               f'it{runner.iter}.pt'))
        return fn

    runner = Runner.from_cfg(swav_cfg(data_root, work_dir, max_iters=3,
                                      distributed=True))
    runner.register_hook(RecordHook(save_queue('trained'),
                                    when='after_train_iter'), 'VERY_LOW')
    runner.train()
    dist.barrier()

    cfg = swav_cfg(data_root, work_dir, max_iters=3, distributed=True)
    cfg.resume = True
    cfg.load_from = osp.join(work_dir, 'iter_2.pth')
    runner = Runner.from_cfg(cfg)
    runner.register_hook(RecordHook(save_queue('resumed')), 'VERY_LOW')
    runner.train()
    dist.barrier()
    dist.destroy_process_group()


if __name__ == '__main__':
    main()
