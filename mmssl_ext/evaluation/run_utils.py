"""Helpers of the results-table scripts under ``benchmarks/``: run one
benchmark step as a subprocess (as a user would) and read what mmengine
logged."""
import glob
import json
import os
import os.path as osp
import subprocess
import time
from typing import Dict, List, Optional, Tuple


def run_logged(cmd: List[str], log: str, cwd: str,
               env: Optional[Dict[str, str]] = None) -> float:
    """Run ``cmd`` in ``cwd`` with stdout+stderr into ``log`` (``env``: extra
    environment variables).

    Returns:
        float: wall seconds. Raises ``SystemExit`` naming the log on failure.
    """
    print('$ ' + ' '.join(cmd), flush=True)
    t0 = time.time()
    with open(log, 'w') as fh:
        proc = subprocess.run(cmd, cwd=cwd, stdout=fh,
                              stderr=subprocess.STDOUT,
                              env=dict(os.environ, **(env or {})))
    if proc.returncode:
        raise SystemExit(f'failed (rc={proc.returncode}); see {log}')
    return time.time() - t0


def last_val_metrics(work_dir: str) -> dict:
    """The last validation entry of the newest mmengine run in ``work_dir``
    (``<timestamp>/vis_data/scalars.json``; training entries carry ``lr`` or
    ``loss`` and are skipped)."""
    files = sorted(glob.glob(osp.join(work_dir, '*', 'vis_data',
                                      'scalars.json')))
    if not files:
        raise SystemExit(f'no scalars.json under {work_dir}')
    last = None
    with open(files[-1]) as fh:
        for line in fh:
            entry = json.loads(line)
            if 'lr' not in entry and 'loss' not in entry:
                last = entry
    if last is None:
        raise SystemExit(f'no validation entry in {files[-1]}')
    return last


def parse_model_specs(specs: List[str]) -> List[Tuple[str, Optional[str]]]:
    """``['random=none', 'ssl=work/iter_300.pth']`` -> ``[('random', None),
    ('ssl', 'work/iter_300.pth')]``; ``SystemExit`` with the reason for a
    malformed spec or a missing checkpoint."""
    models = []
    for spec in specs:
        name, sep, ckpt = spec.partition('=')
        if not sep or not name:
            raise SystemExit(f'--model {spec!r}: expected NAME=CKPT or '
                             f'NAME=none.')
        if ckpt.lower() == 'none':
            ckpt = None
        elif not osp.isfile(ckpt):
            raise SystemExit(f'--model {name}: checkpoint {ckpt} does not '
                             f'exist.')
        models.append((name, ckpt))
    return models
