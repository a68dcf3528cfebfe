"""SwAVQueueHook: the queue is checkpointed per rank and restored on resume;
prototype freezing follows runner.iter."""
import os.path as osp

import pytest
import torch
from mmengine.runner import Runner

import mmssl_ext  # noqa: F401
from mmssl_ext.compat.checkpoint import load_checkpoint_file
from mmssl_ext.engine.hooks.swav_queue_hook import SwAVQueueHook
from tests.helpers import REPO_ROOT, run_distributed, tiny_cfg
from tests.test_models.dist_scripts.classic_common import RecordHook

SWAV_DIR = 'configs/swav/'
FMNIST_CFG = (SWAV_DIR + 'swav_resnet18-cifar-w16_1xb64-mcrop-coslr-4e_'
              'fashion-mnist-32px-16px.py')


def swav_cfg(data_root, work_dir, max_iters=4, distributed=False):
    """The Fashion-MNIST SwAV config at 8 images/rank, queue 16/rank from
    iteration 0 (so it fills in 2 iterations), prototypes frozen for 2."""
    cfg = tiny_cfg(FMNIST_CFG, data_root, work_dir, max_iters=max_iters,
                   ckpt_interval=2, distributed=distributed)
    world = 2 if distributed else 1
    cfg.model.head.loss.num_prototypes = 20
    # SwAVNeck defaults to SyncBN, which needs GPUs once a group exists.
    cfg.model.neck.norm_cfg = dict(type='BN1d')
    cfg.custom_hooks = [dict(
        type='SwAVQueueHook', batch_size=8, iter_queue_starts=0,
        crops_for_assign=[0, 1], feat_dim=128, queue_length=16 * world,
        frozen_layers_cfg=dict(prototypes=2))]
    return cfg


def test_queue_checkpointed_resumed_and_prototypes_frozen(fmnist_tiny,
                                                          tmp_path):
    work = str(tmp_path)
    trained, grads = {}, {}

    def record(runner):
        loss = runner.model.head.loss_module
        trained[runner.iter] = loss.queue.clone()
        grads[runner.iter] = loss.prototypes.weight.requires_grad

    runner = Runner.from_cfg(swav_cfg(fmnist_tiny, work))
    runner.register_hook(RecordHook(record, when='after_train_iter'),
                         'VERY_LOW')
    runner.train()
    assert grads == {0: False, 1: False, 2: True, 3: True}
    # the queue is full after 2 iterations (16 rows, 8 per iteration)
    assert not (trained[1][:, -1] == 0).all()
    assert runner.model.head.loss_module.use_queue

    ckpt = load_checkpoint_file(osp.join(work, 'iter_2.pth'))
    state = ckpt['swav_queue']
    assert state['world_size'] == 1 and state['iter'] == 1
    assert torch.equal(state['queues'][0], trained[1])

    seen = {}
    cfg = swav_cfg(fmnist_tiny, work, max_iters=3)
    cfg.resume = True
    cfg.load_from = osp.join(work, 'iter_2.pth')
    runner = Runner.from_cfg(cfg)
    runner.register_hook(RecordHook(lambda r: seen.setdefault(r.iter, (
        r.model.head.loss_module.queue.clone(),
        r.model.head.loss_module.prototypes.weight.requires_grad))),
        'VERY_LOW')
    runner.train()
    assert list(seen) == [2]
    assert torch.equal(seen[2][0], trained[1])  # bit-exact
    assert seen[2][1] is True


def test_two_processes_each_rank_gets_its_own_queue(fmnist_tiny, tmp_path):
    script = osp.join(osp.dirname(__file__), 'dist_scripts',
                      'swav_queue_ddp.py')
    run_distributed(script, [fmnist_tiny, str(tmp_path)], nproc=2)
    ckpt = load_checkpoint_file(osp.join(tmp_path, 'iter_2.pth'))
    state = ckpt['swav_queue']
    assert state['world_size'] == 2 and state['queues'].shape == (2, 2, 16,
                                                                  128)
    for rank in range(2):
        trained = torch.load(osp.join(tmp_path, f'trained_rank{rank}_it1.pt'))
        resumed = torch.load(osp.join(tmp_path, f'resumed_rank{rank}_it2.pt'))
        assert torch.equal(state['queues'][rank], trained)
        assert torch.equal(resumed, trained)
    assert not torch.equal(state['queues'][0], state['queues'][1])


def test_bad_input(fmnist_tiny, tmp_path):
    with pytest.raises(ValueError, match='queue_length'):
        SwAVQueueHook(queue_length=-1)
    cfg = swav_cfg(fmnist_tiny, str(tmp_path), max_iters=1)
    cfg.custom_hooks[0]['queue_length'] = 4  # < one batch of 8
    with pytest.raises(ValueError, match='smaller than one global batch'):
        Runner.from_cfg(cfg).train()
    cfg = swav_cfg(fmnist_tiny, str(tmp_path), max_iters=1)
    cfg.custom_hooks[0]['frozen_layers_cfg'] = dict(protoypes=2)
    with pytest.raises(ValueError, match='matches no parameter'):
        Runner.from_cfg(cfg).train()


def test_checkpoint_from_another_world_size_restarts_the_queue():
    from types import SimpleNamespace
    loss = SimpleNamespace(queue=None, use_queue=False)
    model = torch.nn.Linear(2, 2)
    model.head = SimpleNamespace(loss_module=loss)
    runner = SimpleNamespace(model=model, hooks=[],
                             train_dataloader=SimpleNamespace(batch_size=4))
    hook = SwAVQueueHook(queue_length=8, feat_dim=3, crops_for_assign=[0])
    hook.before_run(runner)
    own = torch.randn(1, 8, 3)
    hook.after_load_checkpoint(runner, dict(swav_queue=dict(
        queues=own[None], world_size=1, iter=5)))
    assert torch.equal(loss.queue, own) and hook.queue is loss.queue
    hook.queue = loss.queue = None
    hook.after_load_checkpoint(runner, dict(swav_queue=dict(
        queues=torch.randn(2, 1, 4, 3), world_size=2, iter=5)))
    assert hook.queue is None and loss.queue is None


def test_crops_for_assign_must_match_the_loss(fmnist_tiny, tmp_path):
    cfg = swav_cfg(fmnist_tiny, str(tmp_path), max_iters=1)
    cfg.custom_hooks[0]['crops_for_assign'] = [0]
    with pytest.raises(ValueError, match='differs from the loss'):
        Runner.from_cfg(cfg).train()
