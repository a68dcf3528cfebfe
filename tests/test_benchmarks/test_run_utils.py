"""benchmarks/run_utils.py: the helpers of the results-table scripts."""
import json
import re

import pytest

from tests.test_tools._load_tool import load_tool

_run_utils = load_tool('../benchmarks/run_utils.py')
cached_step = _run_utils.cached_step
last_val_metrics = _run_utils.last_val_metrics
parse_model_specs = _run_utils.parse_model_specs


def test_cached_step_runs_once_per_settings(tmp_path):
    calls = []

    def compute():
        calls.append(1)
        return {'mIoU': 12.5}

    out = str(tmp_path / 'random' / 'seg')
    first = cached_step(out, dict(checkpoint=None, iters=500), compute)
    assert first == {'mIoU': 12.5, 'checkpoint': None, 'iters': 500}
    saved = json.loads((tmp_path / 'random' / 'seg' /
                        'result.json').read_text())
    assert saved == first
    again = cached_step(out, dict(checkpoint=None, iters=500), compute)
    assert again == first and len(calls) == 1
    # A different setting (or one the saved result lacks) stops, naming
    # both values and the fix; the saved result is left as it was.
    with pytest.raises(SystemExit, match=r'iters=500 \(now 4000\).*'
                       r'another --work-dir'):
        cached_step(out, dict(checkpoint=None, iters=4000), compute)
    with pytest.raises(SystemExit, match=r"seed=None \(now 1\)"):
        cached_step(out, dict(checkpoint=None, iters=500, seed=1), compute)
    assert len(calls) == 1
    assert json.loads((tmp_path / 'random' / 'seg' /
                       'result.json').read_text()) == first


def test_cached_step_saves_nothing_when_the_step_fails(tmp_path):
    def fail():
        raise SystemExit('failed (rc=1); see log.txt')

    with pytest.raises(SystemExit, match='rc=1'):
        cached_step(str(tmp_path), dict(iters=1), fail)
    assert not (tmp_path / 'result.json').exists()


def test_cached_step_damaged_cache_names_file_and_fix(tmp_path):
    """A result.json that is not JSON (or not a dict) stops before the step
    runs, naming the file and what to do, instead of a bare
    JSONDecodeError."""
    calls = []
    result_file = tmp_path / 'result.json'
    for text in ('{"mIoU": 12.', '[1, 2]'):
        result_file.write_text(text)
        with pytest.raises(SystemExit, match=re.escape(str(result_file)) +
                           r'.*(?i:delete) it to redo this step'):
            cached_step(str(tmp_path), dict(iters=1),
                        lambda: calls.append(1) or {})
        assert result_file.read_text() == text  # left for the user to see
    assert not calls


def test_cached_step_killed_while_saving_leaves_no_partial_cache(
        tmp_path, monkeypatch):
    """The result is written to a temporary file in the same folder and
    renamed: a kill before the rename leaves no result.json (the next run
    redoes the step) instead of a truncated one."""
    import os

    class Killed(BaseException):
        pass

    real_fsync = os.fsync

    def killed_fsync(fd):
        raise Killed

    out = tmp_path / 'step'
    monkeypatch.setattr(os, 'fsync', killed_fsync)
    with pytest.raises(Killed):
        cached_step(str(out), dict(iters=1), lambda: {'acc': 1.0})
    monkeypatch.setattr(os, 'fsync', real_fsync)
    assert not (out / 'result.json').exists()
    leftovers = [p.name for p in out.iterdir()]
    assert len(leftovers) == 1 and leftovers[0].startswith('.incomplete-')
    # the next run computes and saves the whole result
    assert cached_step(str(out), dict(iters=1), lambda: {'acc': 2.0}) == {
        'acc': 2.0, 'iters': 1}
    assert json.loads((out / 'result.json').read_text()) == {'acc': 2.0,
                                                             'iters': 1}


def test_last_val_metrics_skips_training_entries(tmp_path):
    for stamp, acc in (('20260101_000000', 10.0), ('20260102_000000', 20.0)):
        vis = tmp_path / stamp / 'vis_data'
        vis.mkdir(parents=True)
        lines = [{'lr': 0.1, 'loss': 1.0, 'step': 1},
                 {'accuracy/top1': acc - 5, 'step': 1},
                 {'lr': 0.1, 'loss': 0.5, 'step': 2},
                 {'accuracy/top1': acc, 'step': 2},
                 {'lr': 0.1, 'loss': 0.4, 'step': 3}]
        (vis / 'scalars.json').write_text(
            '\n'.join(json.dumps(x) for x in lines))
    assert last_val_metrics(str(tmp_path)) == {'accuracy/top1': 20.0,
                                               'step': 2}
    with pytest.raises(SystemExit, match='no scalars.json'):
        last_val_metrics(str(tmp_path / 'empty'))


def test_parse_model_specs(tmp_path):
    ckpt = tmp_path / 'iter_300.pth'
    ckpt.write_bytes(b'')
    assert parse_model_specs(['random=NONE', f'ssl={ckpt}']) == [
        ('random', None), ('ssl', str(ckpt))]
    for bad, msg in (('random', 'expected NAME=CKPT'),
                     ('=x.pth', 'expected NAME=CKPT'),
                     (f'ssl={tmp_path}/missing.pth', 'does not exist')):
        with pytest.raises(SystemExit, match=msg):
            parse_model_specs([bad])
