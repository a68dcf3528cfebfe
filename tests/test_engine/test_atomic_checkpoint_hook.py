"""AtomicCheckpointHook: a kill during a save loses at most one checkpoint
interval; auto-resume skips a truncated latest file."""
import os
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.hooks import CheckpointHook
from mmengine.runner import Runner

import mmssl_ext  # noqa: F401
from mmssl_ext.engine.hooks.atomic_checkpoint_hook import (
    AtomicCheckpointHook, complete_checkpoints, is_complete_checkpoint)

BACKBONE = dict(type='ResNet_CIFAR', depth=18, stem_channels=8,
                base_channels=8)


def _cfg(data_root, work_dir, hook_type, max_epochs=2, resume=False):
    view = [dict(type='RandomResizedCrop', scale=32, backend='cv2')]
    return Config(dict(
        default_scope='mmpretrain',
        work_dir=work_dir,
        model=dict(
            type='SimCLR',
            data_preprocessor=dict(type='SelfSupDataPreprocessor',
                                   mean=[72.9] * 3, std=[90.0] * 3),
            backbone=BACKBONE,
            neck=dict(type='NonLinearNeck', in_channels=64, hid_channels=32,
                      out_channels=16, with_avg_pool=True),
            head=dict(type='ContrastiveHead',
                      loss=dict(type='CrossEntropyLoss'))),
        train_dataloader=dict(
            batch_size=16, num_workers=0,
            sampler=dict(type='DefaultSampler', shuffle=True),
            collate_fn=dict(type='default_collate'),
            dataset=dict(type='CustomDataset', data_root=data_root,
                         data_prefix='train/', with_label=False, indices=32,
                         pipeline=[dict(type='LoadImageFromFile'),
                                   dict(type='MultiView', num_views=2,
                                        transforms=[view]),
                                   dict(type='PackInputs')])),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.01)),
        train_cfg=dict(type='EpochBasedTrainLoop', max_epochs=max_epochs),
        default_hooks=dict(checkpoint=dict(type=hook_type, interval=1,
                                           max_keep_ckpts=1)),
        resume=resume,
        randomness=dict(seed=0)))


class Killed(BaseException):
    """Stands for SIGKILL: nothing after it runs."""


def _kill_during_save(monkeypatch, at_epoch):
    """Make the save of ``epoch_{at_epoch}`` write half a file, then die."""
    import mmengine.runner.runner as runner_module
    real_save = runner_module.save_checkpoint

    def save(checkpoint, filename, *args, **kwargs):
        if checkpoint['meta']['epoch'] == at_epoch:
            real_save(checkpoint, filename, *args, **kwargs)
            size = osp.getsize(filename)
            with open(filename, 'r+b') as f:
                f.truncate(size // 2)
            raise Killed()
        return real_save(checkpoint, filename, *args, **kwargs)

    monkeypatch.setattr(runner_module, 'save_checkpoint', save)


def _pointer(work):
    with open(osp.join(work, 'last_checkpoint')) as f:
        return f.read().strip()


@pytest.mark.parametrize('hook_type', ['CheckpointHook',
                                       'AtomicCheckpointHook'])
def test_kill_during_save(fmnist_tiny, tmp_path, monkeypatch, hook_type):
    work = str(tmp_path)
    _kill_during_save(monkeypatch, at_epoch=2)
    with pytest.raises(Killed):
        Runner.from_cfg(_cfg(fmnist_tiny, work, hook_type)).train()
    monkeypatch.undo()
    names = sorted(os.listdir(work))
    if hook_type == 'CheckpointHook':
        # mmengine's order: epoch_1 deleted before epoch_2 is written, which
        # is left truncated: nothing to resume from.
        assert not osp.exists(osp.join(work, 'epoch_1.pth'))
        assert not is_complete_checkpoint(osp.join(work, 'epoch_2.pth'))
        return
    # ours: the complete epoch_1 and its pointer survive; the half-written
    # file has a temporary name that no epoch_* pattern matches.
    assert is_complete_checkpoint(osp.join(work, 'epoch_1.pth'))
    assert _pointer(work) == osp.join(work, 'epoch_1.pth')
    assert 'epoch_2.pth' not in names
    assert complete_checkpoints(work) == [osp.join(work, 'epoch_1.pth')]
    # resume continues from epoch 1 and finishes; old checkpoints pruned
    runner = Runner.from_cfg(_cfg(fmnist_tiny, work, hook_type, resume=True))
    runner.train()
    assert runner.epoch == 2
    assert complete_checkpoints(work) == [osp.join(work, 'epoch_2.pth')]
    assert _pointer(work) == osp.join(work, 'epoch_2.pth')


def test_resume_skips_truncated_latest(fmnist_tiny, tmp_path, caplog):
    """A truncated latest file (e.g. written by plain CheckpointHook when the
    job was killed) is skipped with a warning; the newest complete one is
    resumed."""
    work = str(tmp_path)
    cfg = _cfg(fmnist_tiny, work, 'AtomicCheckpointHook')
    cfg.default_hooks.checkpoint.max_keep_ckpts = -1
    Runner.from_cfg(cfg).train()
    latest = osp.join(work, 'epoch_2.pth')
    with open(latest, 'r+b') as f:
        f.truncate(osp.getsize(latest) // 3)
    assert _pointer(work) == latest

    cfg = _cfg(fmnist_tiny, work, 'AtomicCheckpointHook', max_epochs=3,
               resume=True)
    runner = Runner.from_cfg(cfg)
    seen = []
    orig = runner.resume
    runner.resume = lambda path, **kw: (seen.append(path), orig(path, **kw))
    runner.train()
    assert seen == [osp.join(work, 'epoch_1.pth')]
    assert runner.epoch == 3


def test_best_checkpoint_kept_until_new_one_is_written(tmp_path):
    """The previous best checkpoint is deleted only after the new best one is
    complete (mmengine deletes it first)."""
    from types import SimpleNamespace

    from mmengine.logging import MessageHub
    work = str(tmp_path)
    old_best = osp.join(work, 'best_acc_epoch_1.pth')
    torch.save({'x': torch.ones(1)}, old_best)

    def save_checkpoint(out_dir, filename, *args, **kwargs):
        with open(osp.join(out_dir, filename), 'wb') as f:
            f.write(b'PK\x03\x04partial')
        raise Killed()

    for cls, survives in ((CheckpointHook, False),
                          (AtomicCheckpointHook, True)):
        hook = cls(interval=1, save_best='acc', rule='greater')
        runner = SimpleNamespace(
            work_dir=work, epoch=2, iter=10, save_checkpoint=save_checkpoint,
            message_hub=MessageHub.get_instance(f'best_{cls.__name__}'),
            logger=SimpleNamespace(info=lambda *a: None))
        hook.out_dir = work
        hook.by_epoch = True
        from mmengine.fileio import get_file_backend
        hook.file_backend = get_file_backend(work)
        hook.best_ckpt_path = old_best
        runner.message_hub.update_info('best_score', 0.5)
        with pytest.raises(Killed):
            hook._save_best_checkpoint(runner, {'acc': 0.9})
        assert osp.exists(old_best) == survives, cls.__name__
        if not survives:
            torch.save({'x': torch.ones(1)}, old_best)


def test_readme_snippet_trains_and_checkpoints_rng_state(fmnist_tiny,
                                                        tmp_path):
    """The line README.md shows under "Interrupted runs and exact resume",
    run as a user pastes it into a config."""
    from tests.helpers import REPO_ROOT
    readme = open(osp.join(REPO_ROOT, 'README.md')).read()
    section = readme.split('### Interrupted runs and exact resume', 1)[1]
    snippet = section.split('```python\n', 1)[1].split('```', 1)[0]
    settings = {}
    exec(snippet, {'dict': dict}, settings)
    assert set(settings) == {'default_hooks'}
    work = str(tmp_path)
    cfg = _cfg(fmnist_tiny, work, 'CheckpointHook', max_epochs=1)
    cfg.merge_from_dict(settings)
    runner = Runner.from_cfg(cfg)
    runner.train()
    ckpt = torch.load(osp.join(work, 'epoch_1.pth'), weights_only=False)
    assert ckpt['rng_state']['world_size'] == 1
    assert [type(h).__name__ for h in runner.hooks].count(
        'AtomicCheckpointHook') == 1
