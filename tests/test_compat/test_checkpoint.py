"""torch >= 2.6 checkpoint loading: resume, load_from and Pretrained init work
under weights_only=True; untrusted pickles never execute code."""
import os
import os.path as osp
import pickle
import subprocess
import sys

import pytest
import torch
from mmengine.model.utils import revert_sync_batchnorm  # noqa: F401
from mmengine.runner import Runner, load_checkpoint

import mmssl_ext  # noqa: F401
from mmpretrain.registry import MODELS
from tests.helpers import REPO_ROOT, tiny_demo_cfg

CONVERT = osp.join(REPO_ROOT, 'tools', 'model_converters',
                   'convert_legacy_checkpoint.py')


def test_torch_defaults_to_weights_only():
    # The whole point: we must not have switched weights_only off.
    assert 'TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD' not in os.environ
    import inspect
    default = inspect.signature(torch.load).parameters['weights_only'].default
    assert default is None  # None -> True since torch 2.6
    assert torch.serialization._default_to_weights_only(None) is True


@pytest.fixture(scope='module')
def trained(fmnist_tiny, tmp_path_factory):
    """Train one epoch, then resume and finish the second."""
    work_dir = str(tmp_path_factory.mktemp('ckpt_run'))
    runner = Runner.from_cfg(tiny_demo_cfg(fmnist_tiny, work_dir,
                                           max_epochs=1))
    runner.train()
    assert osp.isfile(osp.join(work_dir, 'epoch_1.pth'))
    # the saved message hub holds HistoryBuffers: plain torch.load must work
    ckpt = torch.load(osp.join(work_dir, 'epoch_1.pth'), map_location='cpu')
    assert 'message_hub' in ckpt

    cfg = tiny_demo_cfg(fmnist_tiny, work_dir, max_epochs=2)
    cfg.resume = True
    runner = Runner.from_cfg(cfg)
    runner.train()
    return work_dir, runner


def test_resume_finishes_second_epoch(trained):
    work_dir, runner = trained
    assert runner.epoch == 2
    ckpt = torch.load(osp.join(work_dir, 'epoch_2.pth'), map_location='cpu')
    assert ckpt['meta']['epoch'] == 2
    assert ckpt['meta']['iter'] == 4  # 32 samples / batch 16, two epochs
    hub = ckpt['message_hub']['log_scalars']
    # the resumed run kept the first epoch's loss history
    assert len(hub['train/loss']._log_history) == 4


def test_load_from_restores_weights(trained, fmnist_tiny, tmp_path):
    work_dir, _ = trained
    ckpt_path = osp.join(work_dir, 'epoch_2.pth')
    cfg = tiny_demo_cfg(fmnist_tiny, str(tmp_path), max_epochs=1)
    cfg.load_from = ckpt_path
    runner = Runner.from_cfg(cfg)
    runner.load_or_resume()
    state = torch.load(ckpt_path, map_location='cpu')['state_dict']
    for name, tensor in runner.model.state_dict().items():
        assert torch.equal(tensor, state[name]), name


def test_pretrained_init_cfg(trained, fmnist_tiny, tmp_path):
    work_dir, _ = trained
    ckpt_path = osp.join(work_dir, 'epoch_2.pth')
    cfg = tiny_demo_cfg(fmnist_tiny, str(tmp_path))
    cfg.model.backbone.init_cfg = dict(type='Pretrained', checkpoint=ckpt_path,
                                       prefix='backbone.')
    model = MODELS.build(cfg.model)
    model.init_weights()
    state = torch.load(ckpt_path, map_location='cpu')['state_dict']
    for name, tensor in model.backbone.state_dict().items():
        assert torch.equal(tensor, state['backbone.' + name]), name


class _Evil:
    """Pickles as a call that would create a marker file."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (exec, (f'open({self.marker!r}, "w").write("pwned")', ))


def test_malicious_checkpoint_is_refused(tmp_path, fmnist_tiny):
    marker = tmp_path / 'executed'
    evil = tmp_path / 'evil.pth'
    torch.save({'state_dict': {'w': torch.zeros(1)}, 'meta': _Evil(str(marker))},
               evil)
    model = torch.nn.Linear(1, 1)
    with pytest.raises(pickle.UnpicklingError):
        load_checkpoint(model, str(evil), map_location='cpu')
    cfg = tiny_demo_cfg(fmnist_tiny, str(tmp_path / 'wd'))
    cfg.resume = True
    cfg.load_from = str(evil)
    runner = Runner.from_cfg(cfg)
    with pytest.raises(pickle.UnpicklingError):
        runner.load_or_resume()
    assert not marker.exists(), 'the untrusted checkpoint executed code'


LEGACY_SAVE = '''
import sys, torch
from mmengine.logging import HistoryBuffer
buf = HistoryBuffer(); buf.update(1.5); buf.update(2.5)
torch.save({"state_dict": {"w": torch.ones(2)},
            "message_hub": {"log_scalars": {"train/loss": buf}}}, sys.argv[1])
'''


def test_legacy_checkpoint_needs_explicit_trust(tmp_path):
    legacy, converted = tmp_path / 'legacy.pth', tmp_path / 'new.pth'
    # written by a process that never imported mmssl_ext
    subprocess.run([sys.executable, '-c', LEGACY_SAVE, str(legacy)],
                   check=True)
    with pytest.raises(pickle.UnpicklingError):
        torch.load(legacy, map_location='cpu')
    refused = subprocess.run([sys.executable, CONVERT, str(legacy),
                              str(converted)], capture_output=True, text=True)
    assert refused.returncode != 0
    assert '--trust-checkpoint' in refused.stderr
    assert not converted.exists()
    subprocess.run([sys.executable, CONVERT, str(legacy), str(converted),
                    '--trust-checkpoint'], check=True, capture_output=True)
    ckpt = torch.load(converted, map_location='cpu')
    buf = ckpt['message_hub']['log_scalars']['train/loss']
    assert buf.mean() == 2.0 and buf.current() == 2.5
