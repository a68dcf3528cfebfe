"""tools/mmcv_full/install_mmcv_full.sh: cache lookup and checksum checks
(--dry-run: nothing is built, installed or uninstalled)."""
import hashlib
import os.path as osp
import subprocess
import sys
import sysconfig

import pytest

from tests.helpers import REPO_ROOT
from tests.test_transfer.helpers import tool_env

SCRIPT = osp.join(REPO_ROOT, 'tools', 'mmcv_full', 'install_mmcv_full.sh')
TAG = f'cp{sys.version_info[0]}{sys.version_info[1]}'
PLATFORM = sysconfig.get_platform().replace('-', '_').replace('.', '_')
WHEEL = f'mmcv-2.1.0-{TAG}-{TAG}-{PLATFORM}.whl'


def _run(cache, *args, **env):
    full_env = dict(tool_env(), MMCV_WHEEL_CACHE=str(cache), **env)
    return subprocess.run(['bash', SCRIPT, *args], env=full_env,
                          capture_output=True, text=True, timeout=120)


def _fake_wheel(folder, sums=True, content=b'not really a wheel'):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / WHEEL).write_bytes(content)
    if sums:
        digest = hashlib.sha256(content).hexdigest()
        (folder / 'SHA256SUMS').write_text(f'{digest}  {WHEEL}\n')
    return folder / WHEEL


def test_verified_cached_wheel_is_installed_in_place_of_mmcv_lite(tmp_path):
    wheel = _fake_wheel(tmp_path)
    proc = _run(tmp_path, '--dry-run')
    assert proc.returncode == 0, proc.stderr
    assert 'checksum OK' in proc.stdout
    lines = proc.stdout.splitlines()
    uninstall = [i for i, l in enumerate(lines)
                 if 'pip uninstall -y mmcv-lite mmcv' in l]
    install = [i for i, l in enumerate(lines)
               if f'pip install --no-deps {wheel}' in l]
    assert uninstall and install and uninstall[0] < install[0]
    assert 'pip wheel' not in proc.stdout  # no build


def test_own_build_folder_is_preferred(tmp_path):
    from importlib.metadata import version
    variant = f'mmcv2.1.0-torch{version("torch").split("+")[0]}-cpu'
    _fake_wheel(tmp_path, content=b'flat')
    own = _fake_wheel(tmp_path / variant, content=b'own build')
    proc = _run(tmp_path, '--dry-run', '--no-install')
    assert proc.returncode == 0, proc.stderr
    assert f'found cached wheel {own}' in proc.stdout


def test_corrupt_wheel_is_refused(tmp_path):
    _fake_wheel(tmp_path)
    (tmp_path / WHEEL).write_bytes(b'tampered')
    proc = _run(tmp_path, '--dry-run')
    assert proc.returncode == 1
    assert 'checksum mismatch' in proc.stderr and 'delete it' in proc.stderr


def test_wheel_missing_from_sums_is_refused(tmp_path):
    _fake_wheel(tmp_path)
    (tmp_path / 'SHA256SUMS').write_text('00  other.whl\n')
    proc = _run(tmp_path, '--dry-run')
    assert proc.returncode == 1 and 'no entry for' in proc.stderr


def test_empty_cache_builds_from_sdist_with_cxx20(tmp_path):
    proc = _run(tmp_path / 'empty', '--dry-run', FORCE_CUDA='1',
                MAX_JOBS='3')
    assert proc.returncode == 0, proc.stderr
    assert 'pip download mmcv==2.1.0 --no-deps --no-binary :all:' in proc.stdout
    assert '-std=c++20' in proc.stdout
    assert ('MMCV_WITH_OPS=1 FORCE_CUDA=1 MAX_JOBS=3' in proc.stdout
            and '--no-build-isolation' in proc.stdout)
    assert '-cuda' in proc.stdout  # CUDA builds are cached apart
    assert not (tmp_path / 'empty').exists()


@pytest.mark.parametrize('args,env,message', [
    (['--bogus'], {}, 'unknown argument'),
    (['--dry-run'], {'FORCE_CUDA': 'yes'}, 'FORCE_CUDA must be 0'),
])
def test_bad_usage(tmp_path, args, env, message):
    proc = _run(tmp_path, *args, **env)
    assert proc.returncode in (1, 2) and message in proc.stderr


def test_shared_prebuilt_wheel_verifies_if_present():
    """The CI wheel folder (outside the repo) passes the checksum check."""
    shared = osp.join(osp.dirname(REPO_ROOT), 'shared', 'wheels')
    if not osp.isfile(osp.join(shared, WHEEL)):
        pytest.skip(f'no prebuilt {WHEEL} in {shared}')
    proc = _run(shared, '--dry-run')
    assert proc.returncode == 0 and 'checksum OK' in proc.stdout, proc.stderr


def test_from_cache_only_never_builds(tmp_path):
    proc = _run(tmp_path / 'empty', '--dry-run', '--from-cache-only')
    assert proc.returncode == 1
    assert 'make mmcv-full' in proc.stderr and 'pip wheel' not in proc.stdout
    _fake_wheel(tmp_path)
    proc = _run(tmp_path, '--dry-run', '--from-cache-only')
    assert proc.returncode == 0 and 'checksum OK' in proc.stdout, proc.stderr
