"""Installing mmssl_ext must not replace a user's torch or numpy.

A venv that "holds" torch and numpy is simulated with metadata-only
distributions (``*.dist-info`` with a name and a version): pip's resolver
sees installed distributions only through that metadata, so
``pip install --dry-run --report`` of the project directory (with its
dependencies, as a user runs it) decides exactly what a real install would
replace, without a 1-minute torch install per case. The versions include the
GPU image's (torch 2.11, numpy 2.5: numpy 2.5 is not even on the index, so
any resolution that needs another numpy would have to replace it), and the
numpy-1 recipe of the README (`pip install mmssl_ext "numpy<2"`).

``make setup STACK=current`` does the same with a real install (torch and
numpy 2 first, then ``pip install -e .[faiss,mim,tests]``;
tools/setup/check_install_keeps.py compares). Needs the package index.
"""
import json
import os.path as osp
import subprocess
import sys
import sysconfig

import pytest

from tests.helpers import REPO_ROOT

GUARDED = ('torch', 'torchvision', 'numpy')


def make_venv_holding(root: str, dists: dict) -> str:
    """A pip-less venv under ``root`` whose site-packages holds metadata-only
    ``dists`` ({name: version}). Returns its python."""
    venv = osp.join(root, 'venv')
    subprocess.run([sys.executable, '-m', 'venv', '--without-pip', venv],
                   check=True, timeout=120)
    python = osp.join(venv, 'bin', 'python')
    site = subprocess.run(
        [python, '-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'],
        check=True, capture_output=True, text=True).stdout.strip()
    for name, version in dists.items():
        info = osp.join(site, f'{name}-{version}.dist-info')
        subprocess.run(['mkdir', '-p', info], check=True)
        with open(osp.join(info, 'METADATA'), 'w') as f:
            f.write(f'Metadata-Version: 2.1\nName: {name}\n'
                    f'Version: {version}\n')
        for fname, text in (('INSTALLER', 'pip\n'), ('RECORD', '')):
            with open(osp.join(info, fname), 'w') as f:
                f.write(text)
    return python


def dry_run_install(python: str, *args: str) -> dict:
    """``pip install --dry-run --report`` into ``python``'s environment."""
    report = osp.join(osp.dirname(osp.dirname(python)), 'report.json')
    proc = subprocess.run(
        [sys.executable, '-m', 'pip', '--python', python, 'install',
         '--dry-run', '--quiet', '--report', report, *args],
        capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    with open(report) as f:
        return {item['metadata']['name'].lower().replace('_', '-'):
                item['metadata']['version']
                for item in json.load(f)['install']}


@pytest.mark.parametrize('held,extra', [
    # the GPU image users run (Python 3.12 there; the resolution is the same)
    ({'torch': '2.11.0', 'torchvision': '0.26.0', 'numpy': '2.5.0'}, []),
    # numpy 1.x: opencv-python >= 4.12 (mmengine's dependency) and pandas 3
    # (openmim's) need numpy 2, and pip prefers their newest release over
    # the installed numpy, so a numpy-1 user says `"numpy<2"` (README).
    ({'torch': '2.14.1', 'numpy': '1.26.4'}, ['numpy<2']),
])
def test_install_keeps_torch_and_numpy(tmp_path, held, extra):
    python = make_venv_holding(str(tmp_path), held)
    would_install = dry_run_install(python, f'{REPO_ROOT}[faiss,mim]', *extra)
    assert 'mmssl-ext' in would_install, would_install  # resolution ran
    assert 'mmengine' in would_install and 'mmpretrain' in would_install
    replaced = {name: would_install[name] for name in GUARDED
                if name in would_install}
    assert not replaced, (f'installing mmssl_ext over {held} would install '
                          f'{replaced}')


def test_a_torch_below_the_range_would_be_replaced(tmp_path):
    """The check can fail: torch 2.10 is below install_requires' range."""
    python = make_venv_holding(str(tmp_path), {'torch': '2.10.0',
                                               'numpy': '2.5.0'})
    would_install = dry_run_install(python, REPO_ROOT)
    assert 'torch' in would_install and 'numpy' not in would_install
