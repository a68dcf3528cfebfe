"""2-process RNGStateHook run: save at iteration 2 (states gathered from both
ranks), resume, record the torch generator state each rank restored.

Usage (through tests.helpers.run_distributed): rng_state_ddp.py DATA WORK
"""
import os.path as osp
import sys

import torch
import torch.distributed as dist
from mmengine.runner import Runner

import mmssl_ext  # noqa: F401
from tests.helpers import tiny_cfg
from tests.test_models.dist_scripts.classic_common import RecordHook

CFG = ('configs/rotation_pred/rotation-pred_resnet18-cifar-w16_1xb64-steplr-'
       '2e_fashion-mnist.py')


def cfg_for(data_root, work_dir):
    cfg = tiny_cfg(CFG, data_root, work_dir, max_iters=2, batch_size=4,
                   ckpt_interval=2, distributed=True)
    cfg.randomness = dict(seed=0, diff_rank_seed=True)
    # the recipe carries RNGStateHook (configs/_base_/default_runtime.py)
    assert cfg.default_hooks.rng_state == dict(type='RNGStateHook')
    return cfg


def main():
    data_root, work_dir = sys.argv[1:3]
    dist.init_process_group('gloo')
    rank = dist.get_rank()
    Runner.from_cfg(cfg_for(data_root, work_dir)).train()
    dist.barrier()

    cfg = cfg_for(data_root, osp.join(work_dir, 'resumed'))
    cfg.train_cfg.max_iters = 3
    cfg.resume = True
    cfg.load_from = osp.join(work_dir, 'iter_2.pth')
    runner = Runner.from_cfg(cfg)
    # IterBasedTrainLoop: the state is restored right before the batch of
    # iteration 2 is drawn, i.e. it is the generator state at before_train_iter
    # minus that batch's draws; record it where it is set instead.
    import mmssl_ext.engine.hooks.rng_state_hook as module
    real = module.set_rng_state

    def record(state):
        torch.save(state['torch'].clone(),
                   osp.join(work_dir, f'restored_rank{rank}.pt'))
        real(state)

    module.set_rng_state = record
    runner.register_hook(RecordHook(lambda r: None), 'VERY_LOW')
    runner.train()
    dist.barrier()
    dist.destroy_process_group()


if __name__ == '__main__':
    main()
