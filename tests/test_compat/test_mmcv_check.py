"""mmcv checks: `import mmssl_ext` accepts mmcv / mmcv-lite 2.1-2.2 and
onedl-mmcv 2.3; the transfer path alone needs an upstream mmcv 2.1.x."""
import subprocess
import sys
from importlib import metadata

import pytest

from mmssl_ext.compat import mmcv_check


def fake_mmcv(monkeypatch, dists, version=None, mmdet=None):
    """Pretend that ``dists`` ({distribution: version}) are installed, that
    ``mmcv.__version__`` is ``version`` (default: the one version) and that
    mmdet ``mmdet`` is installed (None: not installed)."""
    import mmcv
    dists = dict(dists)
    if mmdet:
        dists['mmdet'] = mmdet

    def fake_version(name):
        if name in dists:
            return dists[name]
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(mmcv_check.metadata, 'version', fake_version)
    if version is None:
        version = next(iter(dists.values()))  # the mmcv flavour comes first
    monkeypatch.setattr(mmcv, '__version__', version)


def test_installed_mmcv_passes():
    """The real environment (whatever stack runs the suite) is supported."""
    dists = mmcv_check.installed_mmcv_distributions()
    assert len(dists) == 1, dists
    assert mmcv_check.check_mmcv() == next(iter(dists.values()))


@pytest.mark.parametrize('dist,version', [
    ('mmcv', '2.1.0'), ('mmcv-lite', '2.1.0'), ('mmcv', '2.2.0'),
    ('mmcv-lite', '2.2.0'), ('onedl-mmcv', '2.3.6')])
def test_supported_versions_pass(monkeypatch, dist, version):
    fake_mmcv(monkeypatch, {dist: version})
    assert mmcv_check.check_mmcv() == version


@pytest.mark.parametrize('dist,version', [
    ('mmcv', '2.0.1'), ('mmcv-lite', '2.3.0'), ('onedl-mmcv', '2.2.0'),
    ('onedl-mmcv', '2.4.0')])
def test_unsupported_version_is_explained(monkeypatch, dist, version):
    fake_mmcv(monkeypatch, {dist: version})
    with pytest.raises(ImportError) as info:
        mmcv_check.check_mmcv()
    message = str(info.value)
    assert f'does not support {dist} {version!r}' in message
    assert 'mmcv-lite >=2.1.0,<2.3.0' in message
    assert 'pip install "mmcv-lite>=2.1,<2.3"' in message


@pytest.mark.parametrize('dists', [
    {'mmcv': '2.1.0', 'mmcv-lite': '2.1.0'},
    {'mmcv-lite': '2.1.0', 'onedl-mmcv': '2.3.6'}])
def test_two_distributions_are_refused(monkeypatch, dists):
    fake_mmcv(monkeypatch, dists, version='2.1.0')
    with pytest.raises(ImportError,
                       match='More than one mmcv distribution') as info:
        mmcv_check.check_mmcv()
    assert f'pip uninstall -y {" ".join(dists)}' in str(info.value)


@pytest.mark.parametrize('dist,version', [
    ('mmcv-lite', '2.2.0'), ('onedl-mmcv', '2.3.6')])
def test_mmcv_2_2_next_to_mmdet_3_3_is_explained(monkeypatch, dist, version):
    """mmpretrain would import mmdet and fail on mmdet's own assertion."""
    fake_mmcv(monkeypatch, {dist: version}, mmdet='3.3.0')
    with pytest.raises(ImportError, match=f'mmdet 3.3.0 is installed next '
                                          f'to {dist} {version}'):
        mmcv_check.check_mmcv()
    fake_mmcv(monkeypatch, {'mmcv': '2.1.0'}, mmdet='3.3.0')
    assert mmcv_check.check_mmcv() == '2.1.0'


def test_missing_mmcv_is_explained(monkeypatch):
    import builtins
    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name == 'mmcv':
            raise ImportError('No module named mmcv')
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, '__import__', fake_import)
    with pytest.raises(ImportError, match='pip install "mmcv-lite>=2.1,<2.3"'):
        mmcv_check.check_mmcv()


@pytest.mark.parametrize('dist', ['mmcv', 'mmcv-lite'])
def test_transfer_accepts_upstream_2_1(monkeypatch, dist):
    fake_mmcv(monkeypatch, {dist: '2.1.0'})
    assert mmcv_check.check_transfer_mmcv() == '2.1.0'


@pytest.mark.parametrize('dist,version', [
    ('mmcv', '2.2.0'), ('mmcv-lite', '2.2.0'), ('onedl-mmcv', '2.3.6')])
def test_transfer_rejects_what_mmdet_rejects(monkeypatch, dist, version):
    """Pretraining accepts these; the transfer path names versions + fix."""
    fake_mmcv(monkeypatch, {dist: version})
    assert mmcv_check.check_mmcv() == version
    with pytest.raises(ImportError) as info:
        mmcv_check.check_transfer_mmcv()
    message = str(info.value)
    assert f'found {dist} {version}' in message
    assert 'mmcv >=2.1.0,<2.2.0' in message
    assert 'make mmcv-full' in message


def test_transfer_import_fails_in_a_fresh_interpreter_with_mmcv_2_2():
    """`import mmssl_ext.transfer` (what the transfer configs import) runs
    the check; `import mmssl_ext` alone does not."""
    script = (
        'import importlib.abc, sys\n'
        'class NoMmdet(importlib.abc.MetaPathFinder):\n'
        '    # mmdet not installed (mmpretrain would import it otherwise)\n'
        '    def find_spec(self, name, path, target=None):\n'
        '        if name.split(".")[0] in ("mmdet", "mmseg"):\n'
        '            raise ImportError(name)\n'
        'sys.meta_path.insert(0, NoMmdet())\n'
        'from importlib import metadata\n'
        'import mmcv\n'
        'real = metadata.version\n'
        'def fake(name):\n'
        '    if name in ("mmcv", "mmcv-lite", "onedl-mmcv", "mmdet"):\n'
        '        if name != "mmcv-lite":  # also mmdet: not installed\n'
        '            raise metadata.PackageNotFoundError(name)\n'
        '        return "2.2.0"\n'
        '    return real(name)\n'
        'metadata.version = fake\n'
        'mmcv.__version__ = "2.2.0"\n'
        'import mmssl_ext\n'
        'print("core ok")\n'
        'try:\n'
        '    import mmssl_ext.transfer\n'
        'except ImportError as exc:\n'
        '    print("transfer refused:", exc)\n')
    proc = subprocess.run([sys.executable, '-c', script],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert 'core ok' in proc.stdout
    assert 'transfer refused: The detection / segmentation transfer ' \
           'benchmarks' in proc.stdout
    assert 'found mmcv-lite 2.2.0' in proc.stdout


def test_check_transfer_pretrain_reports_the_mmcv_version(monkeypatch):
    from tests.helpers import REPO_ROOT
    sys.path.insert(0, f'{REPO_ROOT}/tools/benchmarks')
    try:
        import check_transfer_pretrain as tool
    finally:
        sys.path.pop(0)
    fake_mmcv(monkeypatch, {'mmcv-lite': '2.2.0'})
    with pytest.raises(tool.TransferCheckError,
                       match='found mmcv-lite 2.2.0'):
        tool.check_ops('mmdet')
