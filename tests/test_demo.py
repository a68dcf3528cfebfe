"""The demo command's smoke version: same path (converter -> mim train
mmpretrain -> kNN table), toy size."""
import os
import os.path as osp
import subprocess
import sys

from tests.helpers import REPO_ROOT


def test_demo_smoke(tmp_path):
    env = dict(os.environ)
    env['PATH'] = osp.dirname(sys.executable) + os.pathsep + env['PATH']
    proc = subprocess.run(
        [sys.executable, osp.join(REPO_ROOT, 'tools', 'demo.py'), '--smoke',
         '--work-dir', str(tmp_path / 'wd'), '--data-root',
         str(tmp_path / 'data')],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    out = proc.stdout
    for row in ('raw pixels', 'random init', 'pretrained (SimCLR)'):
        assert row in out, out[-3000:]
    assert 'images/s' in out and 'wall time' in out
    assert osp.isfile(tmp_path / 'wd' / 'knn_results.json')
