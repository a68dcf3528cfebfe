"""MomentumUpdateHook: schedule math, the value the EMA actually uses,
logging, resume, and the CosineEMA (BYOL/MoCoV3) guard."""
import math
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner

import mmssl_ext  # noqa: F401
from mmssl_ext.engine.hooks.momentum_update_hook import MomentumUpdateHook
from tests.test_models.dist_scripts.classic_common import RecordHook

BACKBONE = dict(type='ResNet_CIFAR', depth=18, stem_channels=8,
                base_channels=8)
PREPROCESSOR = dict(type='SelfSupDataPreprocessor', mean=[72.9] * 3,
                    std=[90.0] * 3, to_rgb=False)


def _runner_cfg(data_root, work_dir, model, max_iters=4, hook=None):
    view = [dict(type='RandomResizedCrop', scale=32, backend='cv2'),
            dict(type='RandomFlip', prob=0.5)]
    return Config(dict(
        default_scope='mmpretrain',
        work_dir=work_dir,
        model=model,
        train_dataloader=dict(
            batch_size=8, num_workers=0,
            sampler=dict(type='DefaultSampler', shuffle=True),
            collate_fn=dict(type='default_collate'),
            dataset=dict(type='CustomDataset', data_root=data_root,
                         data_prefix='train/', with_label=False,
                         pipeline=[dict(type='LoadImageFromFile'),
                                   dict(type='MultiView', num_views=2,
                                        transforms=[view]),
                                   dict(type='PackInputs')])),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.01,
                                          momentum=0.9)),
        train_cfg=dict(type='IterBasedTrainLoop', max_iters=max_iters),
        default_hooks=dict(
            logger=dict(type='LoggerHook', interval=1),
            checkpoint=dict(type='CheckpointHook', interval=2,
                            by_epoch=False)),
        log_processor=dict(by_epoch=False),
        custom_hooks=[hook or dict(type='MomentumUpdateHook', end_tau=1.0)],
        randomness=dict(seed=0)))


def _moco(momentum=0.01):
    return dict(
        type='MoCo', queue_len=64, feat_dim=16, momentum=momentum,
        data_preprocessor=PREPROCESSOR, backbone=BACKBONE,
        neck=dict(type='MoCoV2Neck', in_channels=64, hid_channels=32,
                  out_channels=16, with_avg_pool=True),
        head=dict(type='ContrastiveHead', loss=dict(type='CrossEntropyLoss'),
                  temperature=0.2))


def _byol():
    return dict(
        type='BYOL', base_momentum=0.01, data_preprocessor=PREPROCESSOR,
        backbone=BACKBONE,
        neck=dict(type='NonLinearNeck', in_channels=64, hid_channels=32,
                  out_channels=16, with_bias=True, with_last_bn=False,
                  with_avg_pool=True),
        head=dict(type='LatentPredictHead',
                  loss=dict(type='CosineSimilarityLoss'),
                  predictor=dict(type='NonLinearNeck', in_channels=16,
                                 hid_channels=32, out_channels=16,
                                 with_bias=True, with_last_bn=False,
                                 with_avg_pool=False)))


@pytest.mark.parametrize('schedule', ['cosine', 'linear', 'constant'])
def test_schedule_math(schedule):
    hook = MomentumUpdateHook(start_tau=0.99, end_tau=1.0, schedule=schedule)
    for k in (0, 3, 5, 10):
        p = k / 10
        expected = dict(
            cosine=1.0 - 0.01 * (math.cos(math.pi * p) + 1) / 2,
            linear=0.99 + 0.01 * p,
            constant=0.99)[schedule]
        assert hook.tau(k, 10) == pytest.approx(expected, abs=1e-12)


def test_mmselfsup_argument_names():
    # MMSelfSup 0.x: m = end - (end - base) * (cos(pi * k / K) + 1) / 2 with
    # its momentum = tau; end_momentum is end_tau under another name
    with pytest.warns(DeprecationWarning, match='use `end_tau`'):
        hook = MomentumUpdateHook(start_tau=0.996, end_momentum=0.999)
    assert hook.end_tau == 0.999
    for k in (0, 4, 10):
        ref = 0.999 - (0.999 - 0.996) * (math.cos(math.pi * k / 10) + 1) / 2
        assert hook.tau(k, 10) == pytest.approx(ref, abs=1e-12)
    with pytest.raises(TypeError, match='keep `end_tau` only'), \
            pytest.warns(DeprecationWarning):
        MomentumUpdateHook(end_tau=0.99, end_momentum=0.999)
    with pytest.raises(ValueError, match='every forward.*migrate_mmselfsup'):
        MomentumUpdateHook(update_interval=2)


def test_bad_arguments():
    with pytest.raises(ValueError, match="unknown schedule 'cos'"):
        MomentumUpdateHook(schedule='cos')
    with pytest.raises(ValueError, match='1 - tau'):
        MomentumUpdateHook(end_tau=1.5)


def test_moco_schedule_logged_and_resumed(fmnist_tiny, tmp_path):
    work = str(tmp_path)
    seen = {}

    def record(runner):
        ema = runner.model.encoder_k
        seen[runner.iter] = (ema.momentum, runner.message_hub.get_scalar(
            'train/ema_tau').current())

    runner = Runner.from_cfg(_runner_cfg(fmnist_tiny, work, _moco(0.01)))
    runner.register_hook(RecordHook(record), 'VERY_LOW')
    runner.train()
    for k in range(4):
        tau = 1.0 - 0.01 * (math.cos(math.pi * k / 4) + 1) / 2
        assert seen[k][0] == pytest.approx(1 - tau, abs=1e-12)
        assert seen[k][1] == pytest.approx(tau, abs=1e-12)
    first = dict(seen)

    # the EMA applies exactly that momentum: check one update by hand
    ema = runner.model.encoder_k
    avg = [p.clone() for p in ema.module.parameters()]
    src = [p.detach().clone() for p in runner.model.backbone.parameters()
           ] + [p.detach().clone() for p in runner.model.neck.parameters()]
    ema.update_parameters(torch.nn.Sequential(runner.model.backbone,
                                              runner.model.neck))
    m = ema.momentum
    for a, s, new in zip(avg, src, ema.module.parameters()):
        torch.testing.assert_close(new, (1 - m) * a + m * s)

    seen.clear()
    cfg = _runner_cfg(fmnist_tiny, work, _moco(0.01))
    cfg.resume = True
    cfg.load_from = osp.join(work, 'iter_2.pth')
    runner = Runner.from_cfg(cfg)
    runner.register_hook(RecordHook(record), 'VERY_LOW')
    runner.train()
    assert sorted(seen) == [2, 3]
    for k in (2, 3):
        assert seen[k] == first[k]  # bit-exact


def test_refuses_cosine_ema_unless_taking_over(fmnist_tiny, tmp_path):
    runner = Runner.from_cfg(_runner_cfg(fmnist_tiny, str(tmp_path),
                                         _byol(), max_iters=1))
    with pytest.raises(ValueError, match='already anneals.*take_over_builtin'):
        runner.train()

    seen = {}
    cfg = _runner_cfg(fmnist_tiny, str(tmp_path), _byol(), max_iters=2,
                      hook=dict(type='MomentumUpdateHook', start_tau=0.9,
                                end_tau=1.0, schedule='linear',
                                take_over_builtin=True))
    runner = Runner.from_cfg(cfg)
    runner.register_hook(RecordHook(lambda r: seen.setdefault(r.iter, (
        r.model.target_net.momentum, r.model.target_net.end_momentum))),
        'VERY_LOW')
    runner.train()
    assert seen[0] == pytest.approx((0.1, 0.1))
    assert seen[1] == pytest.approx((0.05, 0.05))


def test_model_without_ema_is_refused(fmnist_tiny, tmp_path):
    model = dict(type='SimCLR', data_preprocessor=PREPROCESSOR,
                 backbone=BACKBONE,
                 neck=dict(type='NonLinearNeck', in_channels=64,
                           hid_channels=32, out_channels=16,
                           with_avg_pool=True),
                 head=dict(type='ContrastiveHead',
                           loss=dict(type='CrossEntropyLoss')))
    runner = Runner.from_cfg(_runner_cfg(fmnist_tiny, str(tmp_path), model,
                                         max_iters=1))
    with pytest.raises(TypeError, match='no momentum encoder'):
        runner.train()


def test_by_epoch_schedule_steps_per_epoch():
    from types import SimpleNamespace

    from mmengine.logging import MessageHub
    from mmpretrain.registry import MODELS
    model = MODELS.build(_moco(0.01))
    hub = MessageHub.get_instance('test_by_epoch_schedule')
    hook = MomentumUpdateHook(end_tau=1.0, schedule='linear', by_epoch=True)
    runner = SimpleNamespace(model=model, epoch=0, max_epochs=4,
                             message_hub=hub)
    hook.before_run(runner)
    for epoch in range(4):
        runner.epoch = epoch
        hook.before_train_epoch(runner)
        hook.before_train_iter(runner, 0)
        assert model.encoder_k.momentum == pytest.approx(
            0.01 * (1 - epoch / 4), abs=1e-12)
        assert hub.get_scalar('train/ema_tau').current() == pytest.approx(
            0.99 + 0.01 * epoch / 4)


def _epoch_cfg(data_root, work_dir, batch_size, max_epochs):
    """Epoch-based MoCo run on the first 64 images; ``batch_size`` stands for
    the number of processes: for the schedule, N processes of batch B change
    exactly one thing, the iterations per epoch (64 / (N * B))."""
    cfg = _runner_cfg(data_root, work_dir, _moco(0.01))
    cfg.train_dataloader.batch_size = batch_size
    cfg.train_dataloader.dataset.indices = 64
    cfg.train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs)
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=1)
    cfg.log_processor = dict(by_epoch=True)
    cfg.custom_hooks = [dict(type='MomentumUpdateHook', end_tau=1.0,
                             schedule='linear')]
    return cfg


@pytest.mark.parametrize('before,after', [(8, 16), (16, 8)],
                         ids=['1-to-2-processes', '2-to-1-processes'])
def test_progress_does_not_depend_on_process_count(fmnist_tiny, tmp_path,
                                                   before, after):
    """Resume an epoch-based run with another number of iterations per epoch
    (another world size): tau continues from where it stopped. Before the fix
    (runner.iter / runner.max_iters) 1 -> 2 processes reached the final tau
    half-way and 2 -> 1 processes went backwards."""
    work = str(tmp_path)
    runner = Runner.from_cfg(_epoch_cfg(fmnist_tiny, work, before, 1))
    runner.train()

    seen = {}
    cfg = _epoch_cfg(fmnist_tiny, work, after, 2)
    cfg.resume = True
    cfg.load_from = osp.join(work, 'epoch_1.pth')
    runner = Runner.from_cfg(cfg)
    runner.register_hook(RecordHook(lambda r: seen.setdefault(
        r.iter, 1.0 - r.model.encoder_k.momentum)), 'VERY_LOW')
    runner.train()
    per_epoch = 64 // after
    taus = [seen[k] for k in sorted(seen)]
    assert len(taus) == per_epoch  # only epoch 2 ran
    # linear schedule over 2 epochs from 0.99: epoch 2 step j is at
    # progress (1 + j / per_epoch) / 2
    for j, tau in enumerate(taus):
        assert tau == pytest.approx(
            0.99 + 0.01 * (1 + j / per_epoch) / 2, abs=1e-12)
