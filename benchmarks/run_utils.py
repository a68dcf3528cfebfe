"""Helpers of the results-table scripts under ``benchmarks/``: run one
benchmark step as a subprocess (as a user would) and read what mmengine
logged.

A script-level module (not part of the ``mmssl_ext`` package): its errors
stop the calling script with ``SystemExit`` and a message. The drivers
import it after putting this folder on ``sys.path``."""
import glob
import json
import os
import os.path as osp
import subprocess
import time
from typing import Callable, Dict, List, Optional, Tuple

from mmssl_ext.engine.hooks.atomic_checkpoint_hook import \
    write_text_atomically


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


def run_table(args, steps: List[str], run_step: Callable[..., dict],
              make_table: Callable[[dict, List[str]], str]
              ) -> Dict[str, Dict[str, dict]]:
    """Run every step for every ``--model NAME=CKPT`` and write the table.

    Args:
        args (Namespace): the driver's arguments; ``args.model`` holds the
            model specs (:func:`parse_model_specs`), ``args.work_dir`` the
            table's folder.
        steps (list[str]): the steps (columns) to run, in order.
        run_step (callable): ``(name, checkpoint, step, args) -> result``.
        make_table (callable): ``(results, steps) -> markdown``; printed and
            written to ``work_dir/table.md``.

    Returns:
        dict: ``{name: {step: result}}``.
    """
    results = {}
    for name, ckpt in parse_model_specs(args.model):
        results[name] = {}
        for step in steps:
            results[name][step] = run_step(name, ckpt, step, args)
            print(f'{name} {step}: {results[name][step]}', flush=True)
    text = make_table(results, steps)
    print(text)
    with open(osp.join(args.work_dir, 'table.md'), 'w') as fh:
        fh.write(text + '\n')
    return results


def cached_step(out_dir: str, settings: dict,
                compute: Callable[[], dict]) -> dict:
    """Run one results-table step at most once per ``out_dir``.

    The first call runs ``compute()`` and saves its dict, together with
    ``settings`` (what the step depends on besides its folder, e.g. the
    checkpoint and the iteration count), to ``out_dir/result.json``. A later
    call returns the saved result when every setting matches, so an
    interrupted table resumes where it stopped; when a setting differs it
    stops with ``SystemExit`` instead of mixing results made under different
    settings into one table. The file is written atomically (a temporary
    file in ``out_dir``, fsync, ``os.replace``): a run killed while saving
    leaves the previous state, never a truncated file. A file that is not
    valid JSON anyway (damaged by hand or by another tool) stops with
    ``SystemExit`` naming it and the fix before any work is done.

    Returns:
        dict: the step's result with ``settings`` merged in.
    """
    result_file = osp.join(out_dir, 'result.json')
    if osp.isfile(result_file):
        with open(result_file) as fh:
            try:
                saved = json.load(fh)
            except json.JSONDecodeError as exc:
                raise SystemExit(
                    f'The cached result {result_file} is damaged (not valid '
                    f'JSON: {exc}). Delete it to redo this step (or pass '
                    f'another --work-dir).') from None
        if not isinstance(saved, dict):
            raise SystemExit(
                f'The cached result {result_file} holds a '
                f'{type(saved).__name__}, not a result dict: delete it to '
                f'redo this step (or pass another --work-dir).')
        differ = [f'{key}={saved.get(key)!r} (now {value!r})'
                  for key, value in settings.items()
                  if saved.get(key) != value]
        if differ:
            raise SystemExit(
                f'{result_file} was made with ' + ', '.join(differ) +
                f'. Pass another --work-dir, or delete {out_dir} to redo '
                f'this step.')
        return saved
    os.makedirs(out_dir, exist_ok=True)
    result = dict(compute(), **settings)
    write_text_atomically(result_file, json.dumps(result, indent=1))
    return result
