"""The safe checkpoint loader: real mmengine / mmcv-1 checkpoints load with no
flag through every entry point; malicious pickles run nothing; checkpoints
are saved in the stock format (loadable without mmssl_ext)."""
import copyreg
import io
import os
import os.path as osp
import pickle
import pickletools
import subprocess
import sys
import zipfile
from collections import Counter

import numpy as np
import pytest
import torch
from mmengine.logging import HistoryBuffer
from mmengine.runner import CheckpointLoader, Runner, load_checkpoint

import mmssl_ext  # noqa: F401
from mmpretrain.registry import MODELS
from mmssl_ext.compat.checkpoint import (CorruptCheckpointError,
                                         UnsafeCheckpointError,
                                         load_checkpoint_file,
                                         load_from_http,
                                         rebuild_history_buffer,
                                         unsafe_schemes)
from tests.helpers import REPO_ROOT

CONVERT = osp.join(REPO_ROOT, 'tools', 'model_converters',
                   'convert_legacy_checkpoint.py')

# A tiny mmpretrain classifier trained for 2 iterations on random images. The
# same text runs in a subprocess that never imports mmssl_ext (a "plain"
# mmpretrain user) and in this process (mmssl_ext imported).
RUN_CFG = '''
import numpy as np
from mmengine.config import Config
from mmengine.dataset import BaseDataset
from mmpretrain.registry import DATASETS


@DATASETS.register_module(force=True)
class RandomImages(BaseDataset):
    def load_data_list(self):
        rng = np.random.default_rng(0)
        return [dict(img=rng.integers(0, 255, (16, 16, 3), dtype=np.uint8),
                     gt_label=i % 2) for i in range(8)]


def make_cfg(work_dir, max_iters=2):
    return Config(dict(
        model=dict(type='ImageClassifier',
                   backbone=dict(type='ResNet', depth=18, base_channels=8,
                                 out_indices=(3, )),
                   neck=dict(type='GlobalAveragePooling'),
                   head=dict(type='LinearClsHead', num_classes=2,
                             in_channels=64,
                             loss=dict(type='CrossEntropyLoss'))),
        work_dir=work_dir,
        train_dataloader=dict(
            batch_size=4, num_workers=0,
            sampler=dict(type='DefaultSampler', shuffle=True),
            dataset=dict(type='RandomImages', lazy_init=False,
                         pipeline=[dict(type='PackInputs')])),
        train_cfg=dict(by_epoch=False, max_iters=max_iters),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.1, momentum=0.9)),
        param_scheduler=dict(type='MultiStepLR', by_epoch=False,
                             milestones=[1]),
        default_hooks=dict(checkpoint=dict(type='CheckpointHook', interval=2,
                                           by_epoch=False)),
        default_scope='mmpretrain', randomness=dict(seed=0),
        log_level='WARNING'))
'''
PLAIN_TRAIN = RUN_CFG + '''
import sys
from mmengine.runner import Runner
Runner.from_cfg(make_cfg(sys.argv[1])).train()
assert 'mmssl_ext' not in sys.modules
'''
exec(compile(RUN_CFG, 'RUN_CFG', 'exec'))  # defines make_cfg, RandomImages

SYSTEM = f'{os.system.__module__}.system'
MARKER_CODE = 'open({!r}, "w").write("pwned")'


def pickle_globals(path) -> set:
    """The GLOBAL/STACK_GLOBAL names in a torch file's pickle (read only)."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            name = [n for n in z.namelist() if n.endswith('/data.pkl')][0]
            data = z.read(name)
    else:
        with open(path, 'rb') as f:
            data = f.read()
    found, strings = set(), []
    stream = io.BytesIO(data)
    while stream.tell() < len(data):
        try:
            ops = list(pickletools.genops(stream))
        except Exception:  # raw storage bytes after the pickles
            break
        for op, arg, _ in ops:
            if op.name == 'GLOBAL':
                found.add(arg)
            elif 'UNICODE' in op.name:
                strings.append(arg)
            elif op.name == 'STACK_GLOBAL':
                found.add(' '.join(strings[-2:]))
    return found


@pytest.fixture(scope='module')
def plain_ckpt(tmp_path_factory):
    """A checkpoint written by mmengine/mmpretrain without mmssl_ext."""
    work = tmp_path_factory.mktemp('plain')
    subprocess.run([sys.executable, '-c', PLAIN_TRAIN, str(work)], check=True,
                   capture_output=True)
    return str(work / 'iter_2.pth')


def assert_same(a, b, path='ckpt'):
    assert type(a) is type(b), path
    if isinstance(a, dict):
        assert list(a) == list(b), path
        for key in a:
            assert_same(a[key], b[key], f'{path}[{key!r}]')
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same(x, y, f'{path}[{i}]')
    elif isinstance(a, torch.Tensor):
        assert a.dtype == b.dtype and torch.equal(a, b), path
    elif isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and np.array_equal(a, b), path
    elif isinstance(a, HistoryBuffer):
        assert a.max_length == b.max_length, path
        assert_same(a._log_history, b._log_history, path + '.log')
        assert_same(a._count_history, b._count_history, path + '.count')
        assert a.mean() == b.mean() and a.current() == b.current(), path
    else:
        assert a == b, path


def test_torch_defaults_to_weights_only():
    # We must not have switched weights_only off for anyone else.
    assert 'TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD' not in os.environ
    assert torch.serialization._default_to_weights_only(None) is True


def test_plain_checkpoint_holds_what_the_loader_rebuilds(plain_ckpt):
    found = pickle_globals(plain_ckpt)
    # what a real mmengine 0.10 checkpoint needs beyond tensors
    assert {'__builtin__ getattr', '_codecs encode', 'collections Counter',
            'collections OrderedDict',
            'mmengine.logging.history_buffer HistoryBuffer', 'numpy dtype',
            'numpy ndarray'} <= found
    assert found & {'numpy.core.multiarray _reconstruct',
                    'numpy._core.multiarray _reconstruct'}
    # torch's own reader refuses it: this is what the safe loader fixes
    with pytest.raises(pickle.UnpicklingError):
        torch.load(plain_ckpt, map_location='cpu', weights_only=True)
    trusted = torch.load(plain_ckpt, map_location='cpu', weights_only=False)
    assert_same(load_checkpoint_file(plain_ckpt, 'cpu'), trusted)
    assert_same(CheckpointLoader.load_checkpoint(plain_ckpt, 'cpu'), trusted)


def test_plain_checkpoint_resumes_without_flag(plain_ckpt, tmp_path):
    cfg = make_cfg(str(tmp_path), max_iters=3)
    cfg.resume, cfg.load_from = True, plain_ckpt
    runner = Runner.from_cfg(cfg)
    runner.train()
    assert runner.iter == 3
    hub = runner.message_hub.log_scalars['train/loss']
    assert len(hub._log_history) == 3  # the 2 resumed values + 1 new


def test_plain_checkpoint_load_from_and_pretrained(plain_ckpt, tmp_path):
    state = torch.load(plain_ckpt, map_location='cpu',
                       weights_only=False)['state_dict']
    cfg = make_cfg(str(tmp_path))
    cfg.load_from = plain_ckpt
    runner = Runner.from_cfg(cfg)
    runner.load_or_resume()
    for name, tensor in runner.model.state_dict().items():
        assert torch.equal(tensor, state[name]), name
    model_cfg = make_cfg(str(tmp_path)).model
    model_cfg.backbone.init_cfg = dict(type='Pretrained',
                                       checkpoint=plain_ckpt,
                                       prefix='backbone.')
    model = MODELS.build(model_cfg)
    model.init_weights()
    for name, tensor in model.backbone.state_dict().items():
        assert torch.equal(tensor, state['backbone.' + name]), name


def test_new_checkpoint_loads_without_mmssl_ext(tmp_path):
    Runner.from_cfg(make_cfg(str(tmp_path))).train()  # mmssl_ext imported
    path = str(tmp_path / 'iter_2.pth')
    assert not any('mmssl_ext' in g for g in pickle_globals(path))
    code = ('import sys, torch; from mmengine.logging import HistoryBuffer; '
            'c = torch.load(sys.argv[1], map_location="cpu", '
            'weights_only=False); '
            'b = c["message_hub"]["log_scalars"]["train/loss"]; '
            'assert type(b) is HistoryBuffer and len(b._log_history) == 2; '
            'assert "mmssl_ext" not in sys.modules; print("ok")')
    out = subprocess.run([sys.executable, '-c', code, path],
                         capture_output=True, text=True)
    assert out.returncode == 0 and 'ok' in out.stdout, out.stderr


# ---------------------------------------------------------------- payloads
class _Payload:
    """Unpickles as os.system / exec creating ``marker``."""

    def __init__(self, marker, via='system'):
        self.marker, self.via = str(marker), via

    def __reduce__(self):
        if self.via == 'system':
            return os.system, (f'touch {self.marker}', )
        return exec, (MARKER_CODE.format(self.marker), )


def _crafted_buffer(state):
    """A HistoryBuffer that pickles exactly like mmengine's, with ``state``."""
    buf = HistoryBuffer()
    return buf, (copyreg.__newobj__, (HistoryBuffer, ), state)


def save_with_reductions(obj, path, reductions, **kwargs):
    """torch.save with some objects pickled through given reduce tuples."""
    class Pickler(pickle.Pickler):
        def reducer_override(self, o):
            for target, reduction in reductions:
                if o is target:
                    return reduction
            return NotImplemented
    module = type(sys)('crafted_pickle')
    module.Pickler, module.dump = Pickler, pickle.dump
    module.__name__ = 'crafted_pickle'
    torch.save(obj, path, pickle_module=module, **kwargs)


def good_state():
    return {'max_length': 10, '_log_history': np.array([1.5, 2.5]),
            '_count_history': np.array([1, 1]),
            'statistics_methods': {'mean': HistoryBuffer.mean}}


def _evil_buffers(marker):
    """(label, state) of HistoryBuffer pickles with a payload inside."""
    payload = _Payload(marker)
    getattr_payload = type('G', (), {'__reduce__': lambda self: (
        getattr, (HistoryBuffer, 'register_statistics'))})()
    cases = []
    for label, key, value, why in [
            ('system in log', '_log_history', payload, SYSTEM),
            ('system in list', '_log_history', [payload], SYSTEM),
            ('object dtype', '_log_history',
             np.array([payload, 1.0], dtype=object), "dtype('O')"),
            ('2-D log', '_log_history', np.ones((2, 1)), '1-D'),
            ('string log', '_log_history', np.array(['a', 'b']), 'numeric'),
            ('getattr other name', 'statistics_methods',
             {'mean': getattr_payload}, "'register_statistics'"),
            ('unknown statistic', 'statistics_methods',
             {'evil': HistoryBuffer.mean}, "['evil']"),
            ('bad max_length', 'max_length', 10.5, 'max_length'),
            ('class dict', '_statistics_methods', {},
             "['_statistics_methods']")]:
        state = good_state()
        state[key] = value
        cases.append((label, state, why))
    return cases


def _entry_points(path, tmp_path):
    """Every way a checkpoint is read: the loader, mmengine, Runner, init."""
    yield lambda: load_checkpoint_file(path)
    yield lambda: load_checkpoint(torch.nn.Linear(1, 1), str(path),
                                  map_location='cpu')

    def resume():
        cfg = make_cfg(str(tmp_path / 'wd'))
        cfg.resume, cfg.load_from = True, str(path)
        Runner.from_cfg(cfg).load_or_resume()
    yield resume

    def pretrained():
        model_cfg = make_cfg(str(tmp_path)).model
        model_cfg.backbone.init_cfg = dict(type='Pretrained',
                                           checkpoint=str(path))
        MODELS.build(model_cfg).init_weights()
    yield pretrained


@pytest.mark.parametrize('via', ['system', 'exec'])
def test_malicious_checkpoint_runs_nothing(tmp_path, via):
    marker = tmp_path / 'executed'
    evil = tmp_path / 'evil.pth'
    torch.save({'state_dict': {'w': torch.zeros(1)},
                'meta': _Payload(marker, via)}, evil)
    for load in _entry_points(evil, tmp_path):
        with pytest.raises(UnsafeCheckpointError) as info:
            load()
        assert isinstance(info.value, pickle.UnpicklingError)
        msg = str(info.value)
        assert str(evil) in msg and 'execute code' in msg, msg
        assert 'convert_legacy_checkpoint.py' in msg
        assert '--trust-checkpoint' in msg
    assert not marker.exists(), 'the untrusted checkpoint executed code'


def test_history_buffer_shaped_payloads_are_refused(tmp_path):
    marker = tmp_path / 'executed'
    HistoryBuffer()  # registers the default statistics
    before = dict(HistoryBuffer._statistics_methods)
    assert set(before) == {'min', 'max', 'current', 'mean'}
    for label, state, why in _evil_buffers(marker):
        path = tmp_path / 'evil_buffer.pth'
        buf, reduction = _crafted_buffer(state)
        save_with_reductions(
            {'message_hub': {'log_scalars': {'train/loss': buf}}}, path,
            [(buf, reduction)])
        with pytest.raises(UnsafeCheckpointError) as info:
            load_checkpoint_file(path)
        assert why in str(info.value), (label, str(info.value))
        assert not marker.exists(), label
    # the class-level statistics dict shared by every buffer is untouched
    assert HistoryBuffer._statistics_methods == before


def test_crafted_buffer_control_loads(tmp_path):
    # the harness itself: with a good state the same crafted file loads
    path = tmp_path / 'good_buffer.pth'
    buf, reduction = _crafted_buffer(good_state())
    save_with_reductions({'b': buf}, path, [(buf, reduction)])
    loaded = load_checkpoint_file(path)['b']
    assert type(loaded) is HistoryBuffer
    assert loaded.mean() == 2.0 and loaded.current() == 2.5
    assert loaded.max_length == 10


def test_object_and_structured_dtypes_are_refused(tmp_path):
    for value in (np.array([1, 'a'], dtype=object),
                  np.zeros(2, dtype=[('a', 'f4'), ('b', 'i4')]),
                  np.array([None]).dtype):
        path = tmp_path / 'obj.pth'
        torch.save({'meta': {'x': value}}, path)
        with pytest.raises(UnsafeCheckpointError, match='dtype'):
            load_checkpoint_file(path)


def test_torchscript_archive_is_refused(tmp_path):
    path = tmp_path / 'script.pt'
    torch.jit.save(torch.jit.script(torch.nn.Linear(2, 2)), str(path))
    with pytest.raises(UnsafeCheckpointError, match='TorchScript'):
        load_checkpoint_file(path)


def test_old_mmssl_ext_checkpoint_loads_safely(tmp_path):
    """Files saved by mmssl_ext 0.1 (copyreg reducer) name
    rebuild_history_buffer."""
    buf = HistoryBuffer([1.0, 3.0], [1, 1], max_length=5)
    old = (rebuild_history_buffer,
           (buf._log_history, buf._count_history, buf.max_length))
    path = tmp_path / 'old.pth'
    save_with_reductions({'b': buf}, path, [(buf, old)])
    assert ('mmssl_ext.compat.checkpoint rebuild_history_buffer'
            in pickle_globals(path))
    loaded = load_checkpoint_file(path)['b']
    assert type(loaded) is HistoryBuffer and loaded.mean() == 2.0
    # ...and with an object array inside, it is refused
    marker = tmp_path / 'executed'
    evil = (rebuild_history_buffer,
            (np.array([_Payload(marker)], dtype=object),
             buf._count_history, 5))
    save_with_reductions({'b': buf}, path, [(buf, evil)])
    with pytest.raises(UnsafeCheckpointError):
        load_checkpoint_file(path)
    assert not marker.exists()


def mmcv1_checkpoint():
    model = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3),
                                torch.nn.BatchNorm2d(4))
    optim = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    model(torch.randn(2, 3, 5, 5)).sum().backward()
    optim.step()
    return {
        'meta': {'mmcv_version': '1.7.1', 'time': 'Mon Jan  2 03:04:05 2023',
                 'epoch': 12, 'iter': 1200, 'CLASSES': ('cat', 'dog'),
                 'PALETTE': [(0, 0, 0), (255, 0, 0)],
                 'config': "model = dict(type='ImageClassifier')",
                 'env_info': 'sys.platform: linux',
                 'hook_msgs': {'last_ckpt': 'work/epoch_12.pth',
                               'best_score': np.float64(0.75),
                               'best_epoch': np.int64(11)},
                 'arrays': [np.arange(6, dtype=np.float32).reshape(2, 3),
                            np.array([True, False]), np.array(['a', 'bc']),
                            np.array(b'xy'), np.float16(1.5),
                            np.complex64(1 + 2j)],
                 'misc': {'set': {1, 2}, 'frozen': frozenset('ab'),
                          'counter': Counter(a=2), 'size': torch.Size([2]),
                          'device': torch.device('cpu'),
                          'dtype': torch.float16, 'bytes': b'\x00\xff',
                          'none': None, 'float': 1.5}},
        'state_dict': model.state_dict(),
        'optimizer': optim.state_dict(),
    }


@pytest.mark.parametrize('zip_format', [True, False])
def test_mmcv1_era_checkpoint_loads(tmp_path, zip_format):
    path = tmp_path / 'mmcv1.pth'
    torch.save(mmcv1_checkpoint(), path,
               _use_new_zipfile_serialization=zip_format)
    trusted = torch.load(path, map_location='cpu', weights_only=False)
    loaded = load_checkpoint_file(path, 'cpu')
    assert_same(loaded, trusted)
    assert loaded['state_dict']._metadata == trusted['state_dict']._metadata
    # whole-module pickles (the pre-mmengine habit) are refused
    torch.save({'model': torch.nn.Linear(1, 1)}, path,
               _use_new_zipfile_serialization=zip_format)
    with pytest.raises(UnsafeCheckpointError, match='torch.nn'):
        load_checkpoint_file(path)


@pytest.mark.parametrize('spelling', ['numpy.core', 'numpy._core'])
def test_both_numpy_module_spellings(tmp_path, spelling):
    """numpy 1 writes numpy.core.multiarray, numpy 2 numpy._core.multiarray:
    files from either load under either numpy."""
    src = tmp_path / 'np.pth'
    buf = HistoryBuffer([1.0, 2.0], [1, 1])
    torch.save({'b': buf, 's': np.float64(2.5), 'a': np.arange(3)}, src,
               _use_new_zipfile_serialization=False)  # plain pickles
    data = src.read_bytes()
    other = 'numpy._core' if b'numpy.core.multiarray' in data else 'numpy.core'
    mine = 'numpy.core' if other == 'numpy._core' else 'numpy._core'
    data = data.replace(f'{mine}.multiarray'.encode(),
                        f'{spelling}.multiarray'.encode())
    path = tmp_path / 'spelled.pth'
    path.write_bytes(data)
    assert f'{spelling}.multiarray scalar' in pickle_globals(path)
    loaded = load_checkpoint_file(path)
    assert loaded['b'].mean() == 1.5 and loaded['s'] == 2.5
    assert loaded['a'].tolist() == [0, 1, 2]


# ---------------------------------------------------------- bad files
def _truncated(tmp_path, zip_format):
    path = tmp_path / f'trunc_{zip_format}.pth'
    torch.save(mmcv1_checkpoint(), path,
               _use_new_zipfile_serialization=zip_format)
    data = path.read_bytes()
    path.write_bytes(data[:len(data) // 2])
    return path


@pytest.mark.parametrize('zip_format', [True, False])
def test_truncated_file_is_reported_as_corrupt(tmp_path, zip_format):
    path = _truncated(tmp_path, zip_format)
    for load in (lambda: load_checkpoint_file(path),
                 lambda: CheckpointLoader.load_checkpoint(str(path))):
        with pytest.raises(CorruptCheckpointError,
                           match='truncated or corrupt') as info:
            load()
        assert str(path) in str(info.value)


def test_missing_empty_and_foreign_files(tmp_path):
    with pytest.raises(FileNotFoundError, match='does not exist'):
        load_checkpoint_file(tmp_path / 'nope.pth')
    with pytest.raises(FileNotFoundError, match='does not exist'):
        load_checkpoint(torch.nn.Linear(1, 1), str(tmp_path / 'nope.pth'))
    empty = tmp_path / 'empty.pth'
    empty.write_bytes(b'')
    with pytest.raises(CorruptCheckpointError, match='empty'):
        load_checkpoint_file(empty)
    text = tmp_path / 'config.py'
    text.write_text('model = dict()\n')
    with pytest.raises(CorruptCheckpointError):
        load_checkpoint_file(text)


def test_every_mmengine_scheme_uses_the_safe_loader():
    assert unsafe_schemes() == {}
    for path in ('a.pth', 'https://x/a.pth', 'http://x/a.pth',
                 'torchvision://resnet50', 'open-mmlab://x', 'mmcls://x',
                 's3://b/a.pth', 'pavi://x', 'modelzoo://x'):
        loader = CheckpointLoader._get_checkpoint_loader(path)
        assert loader.__module__ == 'mmssl_ext.compat.checkpoint', path


def test_http_checkpoint_is_loaded_safely(tmp_path):
    # file:// URLs go through the same download code as http(s)://
    marker = tmp_path / 'executed'
    evil = tmp_path / 'served' / 'evil.pth'
    evil.parent.mkdir()
    torch.save({'meta': _Payload(marker)}, evil)
    with pytest.raises(UnsafeCheckpointError):
        load_from_http(evil.as_uri(), model_dir=str(tmp_path / 'cache'))
    assert not marker.exists()
    good = evil.parent / 'good.pth'
    torch.save({'state_dict': {'w': torch.ones(2)}}, good)
    ckpt = load_from_http(good.as_uri(), model_dir=str(tmp_path / 'cache'))
    assert torch.equal(ckpt['state_dict']['w'], torch.ones(2))
    assert (tmp_path / 'cache' / 'good.pth').is_file()


# ---------------------------------------------------- the conversion tool
def run_convert(*args):
    return subprocess.run([sys.executable, CONVERT, *map(str, args)],
                          capture_output=True, text=True)


def test_convert_copies_a_safe_checkpoint(plain_ckpt, tmp_path):
    dst = tmp_path / 'copy.pth'
    out = run_convert(plain_ckpt, dst)
    assert out.returncode == 0, out.stderr
    assert 'copying' in out.stdout
    assert dst.read_bytes() == open(plain_ckpt, 'rb').read()


def test_convert_reports_a_truncated_file_as_corrupt(tmp_path):
    path = _truncated(tmp_path, True)
    for flags in ([], ['--trust-checkpoint']):
        out = run_convert(path, tmp_path / 'new.pth', *flags)
        assert out.returncode != 0
        assert 'corrupt' in out.stderr and '--trust-checkpoint' not in \
            out.stderr, out.stderr
        assert not (tmp_path / 'new.pth').exists()


def test_convert_needs_trust_for_unsafe_content(tmp_path):
    import argparse
    src, dst = tmp_path / 'args.pth', tmp_path / 'new.pth'
    # old checkpoints often pickled the argparse Namespace of the run
    torch.save({'state_dict': {'w': torch.ones(2)},
                'meta': {'args': argparse.Namespace(lr=0.1, arch='r50')}},
               src)
    refused = run_convert(src, dst)
    assert refused.returncode != 0
    assert '--trust-checkpoint' in refused.stderr and not dst.exists()
    done = run_convert(src, dst, '--trust-checkpoint')
    assert done.returncode == 0, done.stderr
    ckpt = load_checkpoint_file(dst)
    assert ckpt['meta']['args'] == {'lr': 0.1, 'arch': 'r50'}
    assert torch.equal(ckpt['state_dict']['w'], torch.ones(2))
    assert 'argparse.Namespace' in done.stdout  # it says what it changed
