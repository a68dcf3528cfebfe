"""benchmarks/clustering/kmeans_faiss_vs_sklearn.py at toy size: both
libraries run the requested iterations from the same start, reach the same
objective, and the per-iteration / matmul figures are printed."""
import os.path as osp
import re
import subprocess
import sys

from tests.helpers import REPO_ROOT

SCRIPT = osp.join(REPO_ROOT, 'benchmarks', 'clustering',
                  'kmeans_faiss_vs_sklearn.py')


def test_toy_run_prints_per_iteration_and_matmul_figures():
    proc = subprocess.run(
        [sys.executable, SCRIPT, '--num-samples', '1500', '--dim', '16',
         '--k', '12', '--iters', '4', '--repeats', '1'],
        capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = proc.stdout
    rows = {m.group(1): m.groups()[1:] for m in re.finditer(
        r'^(faiss|scikit-learn)\s+([\d.]+)\s+(\d+)\s+([\d.]+)\s+([\d.]+)'
        r'\s+([\d.]+)$', out, re.M)}
    assert set(rows) == {'faiss', 'scikit-learn'}, out
    assert rows['faiss'][1] == rows['scikit-learn'][1] == '4'
    # same start, same Lloyd steps: same objective
    assert abs(float(rows['faiss'][4]) - float(rows['scikit-learn'][4])) \
        <= 1e-3 * float(rows['faiss'][4])
    assert re.search(r'float32 matmul: [\d.]+ s \([\d.]+ GFLOP/s\)', out)
    assert 'per iteration' in out
