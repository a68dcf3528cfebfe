"""benchmarks/demo_speed.py runs every row at toy size (--quick); it
measures nothing here (the CI machine is shared)."""
import importlib.util
import os.path as osp

from tests.helpers import REPO_ROOT

SCRIPT = osp.join(REPO_ROOT, 'benchmarks', 'demo_speed.py')


def _load():
    spec = importlib.util.spec_from_file_location('demo_speed', SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_quick_run_prints_every_row(fmnist_tiny, tmp_path, capsys):
    bench = _load()
    assert bench.main(['--quick', '--data-root', fmnist_tiny, '--plain',
                       '--no-install', '--lightly-dir',
                       str(tmp_path / 'lightly')]) == 0
    out = capsys.readouterr().out
    for title in ('SimCLR (demo)', 'SwAV multi-crop 2x32 + 2x16 px'):
        assert title in out
    for row in ('per-sample pipeline (Runner)', 'batched pipeline (Runner)',
                'model-only step (data in memory)',
                'plain PyTorch loop, per-sample',
                'ratio batched / model-only', 'ratio batched / per-sample'):
        assert out.count(row) >= 1, row
    assert out.count('model-only step') == 2  # SimCLR and SwAV
    # lightly: measured if importable, else skipped with the reason
    assert ('lightly 1.6 SimCLRTransform (loader)' in out
            or 'lightly not installed' in out)


def test_every_benchmarked_config_has_a_batched_sibling():
    bench = _load()
    for path in (bench.CONFIG, bench.SWAV_CONFIG):
        assert osp.isfile(bench.batched_variant(path))


def test_lightly_row_skips_with_a_message_when_it_cannot_install(tmp_path):
    bench = _load()
    msg = bench.import_lightly(str(tmp_path / 'none'), install=False)
    if not isinstance(msg, str):  # lightly is installed in this environment
        return
    assert 'skipped' in msg
