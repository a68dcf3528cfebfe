"""2-process gloo run of tiny ODC and DeepCluster (DESIGN.md recipe).

Usage (through tests.helpers.run_distributed):
    clustering_ddp.py DATA_ROOT WORK_DIR
Each rank writes WORK_DIR/{algo}_rank{r}.pt with its memory / labels / head
state so the test can compare the ranks.
"""
import os.path as osp
import sys

import torch
import torch.distributed as dist
from mmengine.hooks import Hook
from mmengine.runner import Runner

import mmssl_ext  # noqa: F401
from mmssl_ext.engine.hooks.deepcluster_hook import DeepClusterHook
from tests.helpers import GLOO_DDP_WRAPPER
from tests.test_engine._clustering_cfg import tiny_cfg


class Probe(Hook):
    """Records the memory right after initialisation."""

    def before_train(self, runner):
        model = runner.model.module
        if hasattr(model, 'memory_bank'):
            self.init_bank = model.memory_bank.feature_bank.clone()


def run(algo, data_root, work_dir, rank):
    cfg = tiny_cfg(algo, data_root, osp.join(work_dir, algo),
                   max_epochs=1, batch_size=8)
    cfg.launcher = 'pytorch'
    cfg.model_wrapper_cfg = GLOO_DDP_WRAPPER
    cfg.experiment_name = f'{algo}_ddp'
    cfg.default_hooks.checkpoint.interval = 100  # no checkpoint needed
    runner = Runner.from_cfg(cfg)
    probe = Probe()
    runner.register_hook(probe, priority='LOWEST')
    runner.train()
    model = runner.model.module
    hook = [h for h in runner.hooks if isinstance(h, DeepClusterHook)][0]
    out = dict(labels=torch.from_numpy(hook.labels),
               loss_weight=model.loss_weight.clone(),
               head={k: v.clone() for k, v in model.head.state_dict().items()},
               iters=runner.iter,
               sampler_indices=torch.tensor(
                   list(iter(runner.train_dataloader.sampler))))
    if algo == 'odc':
        out.update(
            init_bank=probe.init_bank,
            **{k: v.clone()
               for k, v in model.memory_bank.state_dict().items()})
    else:
        out['dataset_labels'] = torch.from_numpy(
            runner.train_dataloader.dataset.pseudo_labels)
    torch.save(out, osp.join(work_dir, f'{algo}_rank{rank}.pt'))


def main():
    data_root, work_dir = sys.argv[1], sys.argv[2]
    dist.init_process_group('gloo')
    rank = dist.get_rank()
    for algo in ('odc', 'deepcluster'):
        run(algo, data_root, work_dir, rank)
        dist.barrier()
    dist.destroy_process_group()


if __name__ == '__main__':
    main()
