"""The launchers' common part: MMSelfSup 0.9 command lines -> processes.

Every ``.sh`` launcher (``tools/dist_train.sh``, ``tools/dist_test.sh``,
``tools/slurm_train.sh``, ``benchmarks/classification/*.sh``, the kNN and
VOC07 SVM scripts) is a POSIX ``sh`` wrapper that runs::

    python tools/misc/launch.py KIND ARGS...

with the manual's positional arguments and environment variables. This file
checks them (a wrong argument count or a missing file prints the usage line
naming the argument, exit status 2), translates MMSelfSup's flags
(``tools/misc/seed_args.py``), warns about MMSelfSup 0.x runtime keys that
mmengine ignores, runs the pre-flight checks, and starts the job:

* ``GPUS=0``: one process, ``--launcher none`` (CPU when there is no GPU;
  mmengine's ``pytorch`` launcher needs CUDA),
* ``GPUS=N``: ``python -m torch.distributed.run --nproc_per_node N``,
* slurm: ``srun`` with PARTITION and JOB_NAME.

Training and testing run mmpretrain's ``train.py`` / ``test.py`` through
``tools/misc/mmssl_entry.py``, which imports ``mmssl_ext`` first (safe
checkpoint loading even for configs without ``custom_imports``).

``DRY_RUN=1`` prints the command (one line, shell-quoted) instead of running
it; the checks still run.
"""
import json
import os
import os.path as osp
import re
import shlex
import sys
from typing import Dict, List, Optional, Sequence, Tuple

HERE = osp.dirname(osp.realpath(__file__))
ROOT = osp.dirname(osp.dirname(HERE))
sys.path.insert(0, HERE)
from seed_args import (is_url, local_checkpoint, mmpretrain_script,  # noqa
                       translate)

ENTRY = osp.join(HERE, 'mmssl_entry.py')
KNN_DIR = osp.join(ROOT, 'benchmarks', 'classification', 'knn')
SVM_DIR = osp.join(ROOT, 'benchmarks', 'classification', 'svm_voc07')
CHECK_PRETRAIN = osp.join(ROOT, 'tools', 'benchmarks',
                          'check_transfer_pretrain.py')
#: kNN splits used when the config has none (MMSelfSup's default
#: ``--dataset-config``).
KNN_IMAGENET = 'configs/benchmarks/classification/knn_imagenet.py'
#: Where our training launchers record the --work-dir of each config, so
#: that the evaluate-by-epoch scripts find it (relative to the cwd).
RUNS_FILE = osp.join('work_dirs', '.mmssl_ext_work_dirs.json')


def _legacy_config():
    """mmssl_ext/utils/legacy_config.py, loaded by path: the one list of
    MMSelfSup 0.x runtime keys and its check, shared with our hooks and the
    migration tool (importing the package would load torch and mmpretrain
    before the launcher has decided anything)."""
    import importlib.util
    spec = importlib.util.spec_from_file_location(
        'mmssl_ext_legacy_config',
        osp.join(ROOT, 'mmssl_ext', 'utils', 'legacy_config.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_LEGACY = _legacy_config()
#: MMSelfSup 0.x (mmcv-1 runner) keys that mmengine's Runner ignores.
LEGACY_RUNTIME_KEYS = _LEGACY.LEGACY_RUNTIME_KEYS


class UsageError(Exception):
    """Bad command line: printed with the launcher's usage line."""


# --------------------------------------------------------------------------
# small helpers


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, '')
    if value == '':
        return default
    try:
        return int(value)
    except ValueError:
        raise UsageError(f'{name}={value!r} is not a number of processes '
                         f'(e.g. {name}={default}).') from None


def positional_int(name: str, value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise UsageError(f'{name} must be a number, got {value!r}.') from None
    if n < 0:
        raise UsageError(f'{name} must be >= 0, got {n}.')
    return n


def resolve_config(name: str, path: str) -> str:
    """The config file ``path``, or its new place for an MMSelfSup path
    (``configs/selfsup/ALGO/X.py`` -> ``configs/ALGO/X.py``)."""
    if osp.isfile(path):
        return path
    candidates = []
    norm = path.replace(os.sep, '/')
    for old, new in (('configs/selfsup/', 'configs/'),
                     ('configs/benchmarks/classification/imagenet/'
                      'imagenet_1percent/',
                      'configs/benchmarks/classification/imagenet/'),
                     ('configs/benchmarks/classification/imagenet/'
                      'imagenet_10percent/',
                      'configs/benchmarks/classification/imagenet/')):
        if old in norm:
            candidates.append(norm.replace(old, new, 1))
            candidates.append(osp.join(ROOT, norm[norm.index(old):].replace(
                old, new, 1)))
    for cand in candidates:
        if osp.isfile(cand):
            print(f'[launch] {name} {path} is MMSelfSup\'s path; using '
                  f'{cand}', file=sys.stderr)
            return cand
    raise UsageError(f'{name} {path!r} does not exist (pass a config file, '
                     f'e.g. one under configs/).')


def check_file(name: str, path: str, hint: str = '') -> str:
    if is_url(path):
        return path
    if not osp.isfile(path):
        raise UsageError(f'{name} {path!r} does not exist{hint}.')
    return path


def load_config(path: str):
    """Parse ``path`` for its keys (its custom_imports are not imported:
    seconds saved per launch; train.py imports them)."""
    from mmengine.config import Config
    return Config.fromfile(path, import_custom_modules=False)


def legacy_runtime_keys(cfg, cfg_options: Sequence[str] = ()) -> List[str]:
    """MMSelfSup 0.x runtime keys in ``cfg`` (and in --cfg-options) that
    mmengine would silently ignore, as 'key (-> replacement)' lines."""
    # (dist_params.* options are translated by seed_args.py)
    return _LEGACY.legacy_runtime_keys(
        cfg, [o for o in cfg_options if not o.startswith('dist_params')])


def warn_legacy_keys(cfg, config: str, cfg_options: Sequence[str] = ()):
    """Print the warning (stderr) and mark the environment, so that the
    hooks of the training process started next do not repeat it."""
    return _LEGACY.warn_legacy_runtime_keys(
        cfg=cfg, config=config,
        cfg_options=[o for o in cfg_options
                     if not o.startswith('dist_params')],
        printer=lambda msg: print('[launch] WARNING: ' + msg,
                                  file=sys.stderr)) or []


def user_cfg_options(args: Sequence[str]) -> List[str]:
    """The values after every --cfg-options in ``args``."""
    out, on = [], False
    for arg in args:
        if arg in ('--cfg-options', '--cfg_options', '--options'):
            on = True
        elif on and not arg.startswith('--'):
            out.append(arg)
        else:
            on = False
    return out


def default_seed(cfg, args: Sequence[str]) -> List[str]:
    """MMSelfSup's launchers always passed ``--seed 0``: do the same unless
    the command line or the config chooses a seed."""
    if any(a == '--seed' or a.startswith('--seed=') for a in args):
        return []
    if any(o.startswith('randomness.seed=') for o in user_cfg_options(args)):
        return []
    if (cfg.get('randomness') or {}).get('seed') is not None:
        return []
    return ['--seed', '0']


def torchrun(gpus: int) -> List[str]:
    return [sys.executable, '-m', 'torch.distributed.run',
            f'--nnodes={os.environ.get("NNODES", "1")}',
            f'--node_rank={os.environ.get("NODE_RANK", "0")}',
            f'--master_addr={os.environ.get("MASTER_ADDR", "127.0.0.1")}',
            f'--nproc_per_node={gpus}',
            f'--master_port={os.environ.get("PORT", "29500")}']


def srun(partition: str, job_name: str, gpus: int,
         gpus_per_node: Optional[int] = None) -> List[str]:
    gpus_per_node = env_int('GPUS_PER_NODE', gpus_per_node or 8)
    return (['srun', '-p', partition, f'--job-name={job_name}',
             f'--gres=gpu:{gpus_per_node}', f'--ntasks={gpus}',
             f'--ntasks-per-node={gpus_per_node}',
             f'--cpus-per-task={env_int("CPUS_PER_TASK", 5)}',
             '--kill-on-bad-exit=1'] +
            shlex.split(os.environ.get('SRUN_ARGS', '')))


def launch_prefix(gpus: int, slurm: Optional[Tuple[str, str]] = None,
                  gpus_per_node: Optional[int] = None
                  ) -> Tuple[List[str], str]:
    """(command prefix, --launcher value) for GPUS processes."""
    if slurm:
        return srun(*slurm, gpus, gpus_per_node) + [sys.executable, '-u'], \
            'slurm'
    if gpus == 0:
        return [sys.executable], 'none'
    return torchrun(gpus), 'pytorch'


def run(cmd: List[str], needs_cuda: bool = False) -> int:
    """Print (DRY_RUN=1) or execute ``cmd`` with the repository on the path."""
    if os.environ.get('DRY_RUN', '0') not in ('', '0'):
        print(shlex.join(cmd))
        return 0
    if needs_cuda:
        import torch
        if not torch.cuda.is_available():
            raise UsageError(
                'GPUS>0 starts one process per GPU with mmengine\'s pytorch '
                'launcher, which needs CUDA, and no GPU is visible. Use '
                'GPUS=0 for one CPU process.')
    env = dict(os.environ)
    env['PYTHONPATH'] = os.pathsep.join(
        p for p in (ROOT, env.get('PYTHONPATH', '')) if p)
    print('[launch] ' + shlex.join(cmd), file=sys.stderr, flush=True)
    os.execvpe(cmd[0], cmd, env)
    return 0  # not reached


# --------------------------------------------------------------------------
# where checkpoints are


def record_work_dir(config: str, work_dir: Optional[str]) -> None:
    """Remember ``work_dir`` for ``config``'s name (for the epoch scripts)."""
    if not work_dir or os.environ.get('DRY_RUN', '0') not in ('', '0'):
        return
    name = osp.splitext(osp.basename(config))[0]
    try:
        runs = json.load(open(RUNS_FILE)) if osp.isfile(RUNS_FILE) else {}
    except (OSError, ValueError):
        runs = {}
    dirs = [d for d in runs.get(name, []) if d != osp.abspath(work_dir)]
    runs[name] = [osp.abspath(work_dir)] + dirs[:9]
    os.makedirs(osp.dirname(RUNS_FILE), exist_ok=True)
    tmp = RUNS_FILE + f'.tmp{os.getpid()}'
    with open(tmp, 'w') as f:
        json.dump(runs, f, indent=1)
    os.replace(tmp, RUNS_FILE)


def work_dir_arg(args: Sequence[str]) -> Optional[str]:
    for i, arg in enumerate(args):
        if arg in ('--work-dir', '--work_dir') and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith(('--work-dir=', '--work_dir=')):
            return arg.split('=', 1)[1]
    return None


def epoch_work_dirs(config_arg: str, config: str, cfg,
                    env_var: str) -> List[str]:
    """Every folder where a training run of ``config`` may have written its
    checkpoints, most specific first."""
    name = osp.splitext(osp.basename(config))[0]
    dirs = []
    if os.environ.get(env_var):
        dirs.append(os.environ[env_var])
    if osp.isfile(RUNS_FILE):
        try:
            dirs += json.load(open(RUNS_FILE)).get(name, [])
        except (OSError, ValueError):
            pass
    if cfg is not None and cfg.get('work_dir'):
        dirs.append(cfg.work_dir)
    dirs.append(osp.join('work_dirs', name))  # mmpretrain's train.py
    for path in (config_arg, osp.relpath(config, ROOT), config):
        parts = osp.normpath(osp.splitext(path)[0]).split(os.sep)
        if 'configs' in parts:  # MMSelfSup's epoch scripts: mirror the path
            rel = parts[parts.index('configs') + 1:]
            dirs.append(osp.join('work_dirs', *rel))
            if rel and rel[0] != 'selfsup' and len(rel) >= 2:
                # the manual's --work-dir work_dirs/selfsup/<algo>/<name>/
                dirs.append(osp.join('work_dirs', 'selfsup', *rel))
            if len(rel) >= 2:  # MMSelfSup train.py: work_dirs/<dir>/<name>
                dirs.append(osp.join('work_dirs', rel[0], name))
    dirs.append(osp.join('work_dirs', 'selfsup', name))
    seen, out = set(), []
    for d in dirs:
        key = osp.normpath(osp.abspath(d))
        if key not in seen:
            seen.add(key)
            out.append(d)
    return out


def find_epoch_checkpoint(config_arg: str, config: str, cfg, epoch: int,
                          env_var: str) -> str:
    tried = [osp.join(d, f'epoch_{epoch}.pth')
             for d in epoch_work_dirs(config_arg, config, cfg, env_var)]
    for path in tried:
        if osp.isfile(path):
            return path
    raise UsageError(
        f'No checkpoint of EPOCH {epoch} for SELFSUP_CONFIG {config_arg}. '
        f'Tried:\n    ' + '\n    '.join(tried) +
        f'\n  Train it first, or set {env_var}=<the --work-dir of the '
        f'training run>.')


# --------------------------------------------------------------------------
# jobs


def split_args(args: List[str], slurm: bool, n: int = 2
               ) -> Tuple[Optional[Tuple[str, str]], List[str], List[str]]:
    """((PARTITION, JOB_NAME) for slurm scripts, the n positional
    arguments after them, the rest)."""
    head = (args[0], args[1]) if slurm else None
    args = args[2:] if slurm else args
    return head, args[:n], args[n:]


def job_train(args: List[str], slurm=False) -> int:
    if slurm:  # 0.x: ... CONFIG WORK_DIR [args]; 1.x: ... CONFIG [args]
        partition, job_name, config_arg = args[:3]
        rest = args[3:]
        work_dir = None
        if rest and not rest[0].startswith('-'):
            work_dir = rest.pop(0)
    else:
        config_arg, gpus_arg = args[:2]
        rest = args[2:]
    config = resolve_config('CONFIG', config_arg)
    cfg = load_config(config)
    warn_legacy_keys(cfg, config, user_cfg_options(rest))
    if slurm:
        gpus = env_int('GPUS', 8)
        prefix, launcher = launch_prefix(gpus, (partition, job_name))
        if work_dir:
            rest = ['--work-dir', work_dir] + rest
    else:
        gpus = positional_int('GPUS', gpus_arg)
        prefix, launcher = launch_prefix(gpus)
    train_args = translate(default_seed(cfg, rest) + rest)
    cmd = prefix + [ENTRY, mmpretrain_script('train'), config,
                    '--launcher', launcher] + train_args
    record_work_dir(config, work_dir_arg(train_args))
    return run(cmd, needs_cuda=launcher == 'pytorch')


def job_python(args: List[str], script: str) -> int:
    """``python tools/train.py CONFIG [args]`` / ``python tools/test.py
    CONFIG CHECKPOINT [args]`` (the manual's CPU / single-process lines; also
    under ``torch.distributed.launch`` with ``--launcher pytorch``)."""
    config = resolve_config('CONFIG', args[0])
    rest = args[1:]
    if script == 'test':
        check_file('CHECKPOINT', rest[0])
    cfg = load_config(config)
    warn_legacy_keys(cfg, config, user_cfg_options(rest))
    if script == 'train':
        rest = default_seed(cfg, rest) + rest
        record_work_dir(config, work_dir_arg(rest))
    cmd = [sys.executable, ENTRY, mmpretrain_script(script), config]
    if script == 'test':
        cmd.append(rest.pop(0))
    return run(cmd + translate(rest))


def job_test(args: List[str], gpus_arg=True, slurm=False) -> int:
    """tools/dist_test.sh CONFIG CHECKPOINT GPUS; MMSelfSup 1.x's
    classification mim_dist_test.sh CONFIG CHECKPOINT (GPUS from the
    environment) and mim_slurm_test.sh PARTITION CONFIG CHECKPOINT."""
    partition = args.pop(0) if slurm else None
    config_arg, checkpoint = args[:2]
    rest = args[3:] if gpus_arg else args[2:]
    config = resolve_config('CONFIG', config_arg)
    check_file('CHECKPOINT', checkpoint)
    gpus = (positional_int('GPUS', args[2]) if gpus_arg else
            env_int('GPUS', 8))
    cfg = load_config(config)
    warn_legacy_keys(cfg, config, user_cfg_options(rest))
    prefix, launcher = launch_prefix(
        gpus, (partition, 'test') if slurm else None)
    cmd = prefix + [ENTRY, mmpretrain_script('test'), config, checkpoint,
                    '--launcher', launcher] + translate(rest)
    return run(cmd, needs_cuda=launcher == 'pytorch')


def pretrain_cfg_options(config: str, pretrain: str,
                         cfg_options: Sequence[str]) -> List[str]:
    """Pre-flight: PRETRAIN must fit CONFIG's backbone (the transfer check,
    codebase mmpretrain); returns the --cfg-options that load it."""
    import subprocess
    local = local_checkpoint(pretrain)
    cmd = [sys.executable, CHECK_PRETRAIN, 'mmpretrain', config, local,
           '--print-cfg-options']
    if cfg_options:
        cmd += ['--cfg-options', *cfg_options]
    env = dict(os.environ)
    env['PYTHONPATH'] = os.pathsep.join(
        p for p in (ROOT, env.get('PYTHONPATH', '')) if p)
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, env=env)
    if proc.returncode != 0:
        raise SystemExit('[launch] Stopped before training: PRETRAIN does '
                         'not fit CONFIG (see the message above).')
    opts = [line for line in proc.stdout.splitlines() if line.strip()]
    if local != pretrain:  # keep the URL: mmengine reads it from the cache
        opts = [o.replace(osp.abspath(local), pretrain) for o in opts]
    return opts


def job_finetune(args: List[str], kind: str, slurm=False) -> int:
    """dist/slurm_train_{linear,semi}.sh."""
    slurm_job, (config_arg, pretrain), rest = split_args(args, slurm)
    config = resolve_config('CONFIG', config_arg)
    check_file('PRETRAIN', pretrain, ': pass a checkpoint from the '
               'pretraining work_dir or an extracted backbone')
    # our earlier KEY=VALUE extras: --cfg-options without the flag
    lead = []
    while rest and not rest[0].startswith('-') and '=' in rest[0]:
        lead.append(rest.pop(0))
    if lead:
        rest = ['--cfg-options', *lead] + rest
    default_gpus = 4 if kind == 'semi' else 8
    gpus = env_int('GPUS', default_gpus)
    cfg = load_config(config)
    user_opts = user_cfg_options(rest)
    warn_legacy_keys(cfg, config, user_opts)
    init_opts = pretrain_cfg_options(config, pretrain, user_opts)
    work_dir = os.environ.get('WORK_DIR') or osp.join(
        'work_dirs', 'benchmarks', 'classification',
        osp.splitext(osp.basename(config))[0],
        osp.splitext(osp.basename(pretrain))[0])
    if work_dir_arg(rest) is None:
        rest = ['--work-dir', work_dir] + rest
    train_args = translate(['--cfg-options', *init_opts] +
                           default_seed(cfg, rest) + rest)
    prefix, launcher = launch_prefix(gpus, slurm_job,
                                     gpus_per_node=default_gpus)
    cmd = prefix + [ENTRY, mmpretrain_script('train'), config,
                    '--launcher', launcher] + train_args
    return run(cmd, needs_cuda=launcher == 'pytorch')


def knn_args(cfg, args: List[str]) -> Tuple[List[str], Optional[str]]:
    """MMSelfSup test_knn.py flags -> ours; returns (args, output dir)."""
    out, out_dir, i, has_data = [], None, 0, False
    while i < len(args):
        arg = args[i]
        key, eq, inline = arg.partition('=')
        if key in ('--dataset-config', '--knn-data'):
            has_data = True
            out += ['--knn-data', inline] if eq else ['--knn-data']
        elif key == '--num-knn':
            out.append('--ks' + (eq + inline if eq else ''))
        elif key == '--work-dir':
            out_dir = inline if eq else args[i + 1]
            i += 0 if eq else 1
        elif key == '--use-cuda':  # ours uses the GPU when there is one
            i += 0 if eq else 1
        else:
            out.append(arg)
        i += 1
    keys = ('knn_train_dataloader', 'knn_test_dataloader')
    if not has_data and not all(k in cfg for k in keys):
        print(f'[launch] the config has no {"/".join(keys)}: using '
              f'{KNN_IMAGENET} (MMSelfSup\'s default --dataset-config); pass '
              f'--dataset-config FILE for other data.', file=sys.stderr)
        out += ['--knn-data', osp.join(ROOT, KNN_IMAGENET)]
    return out, out_dir


def job_knn(args: List[str], by_epoch: bool, slurm=False) -> int:
    slurm_job, (config_arg, what), rest = split_args(args, slurm)
    config = resolve_config('SELFSUP_CONFIG', config_arg)
    cfg = load_config(config)
    if by_epoch:
        epoch = positional_int('EPOCH', what)
        checkpoint = find_epoch_checkpoint(config_arg, config, cfg, epoch,
                                           'WORK_DIR')
    else:
        checkpoint = local_checkpoint(check_file('PRETRAIN', what))
    rest, out_dir = knn_args(cfg, rest)
    out_dir = os.environ.get('OUT_DIR') or out_dir or osp.join(
        osp.dirname(checkpoint), 'knn')
    out = osp.join(out_dir, osp.splitext(osp.basename(checkpoint))[0] +
                   '.json')
    gpus = env_int('GPUS', 8)
    prefix, launcher = launch_prefix(gpus, slurm_job)
    cmd = prefix + [osp.join(KNN_DIR, 'test_knn.py'), config,
                    '--checkpoint', checkpoint, '--out', out]
    if launcher != 'none':
        cmd += ['--launcher', launcher]
    return run(cmd + rest)


def job_svm(args: List[str], by_epoch: bool, slurm=False) -> int:
    """dist/slurm_test_svm_{pretrain,epoch}.sh; FEATURE_LIST defaults to
    feat5 as in MMSelfSup."""
    if slurm or by_epoch:
        slurm_job, (config_arg, what), rest = split_args(args, slurm)
        gpus = env_int('GPUS', 8)
    else:
        slurm_job, (config_arg, gpus_arg, what), rest = split_args(args,
                                                                   False, 3)
        gpus = positional_int('GPUS', gpus_arg)
    # FEATURE_LIST: "feat1 feat2" (one word or, unquoted, several)
    features = []
    while rest and re.fullmatch(r'\s*(feat[1-5]\s*)*', rest[0]):
        features += rest.pop(0).split()
    features = features or ['feat5']
    config = resolve_config('SELFSUP_CONFIG', config_arg)
    if by_epoch:
        cfg = load_config(config)
        checkpoint = find_epoch_checkpoint(config_arg, config, cfg,
                                           positional_int('EPOCH', what),
                                           'WORK_DIR_PRETRAIN')
    else:
        checkpoint = local_checkpoint(check_file(
            'PRETRAIN', what, ': pass a checkpoint or an extracted backbone'))
    work_dir = os.environ.get('WORK_DIR') or osp.join(
        'work_dirs', 'benchmarks', 'svm_voc07',
        osp.splitext(osp.basename(config))[0],
        osp.splitext(osp.basename(checkpoint))[0])
    extra = []
    if '--train-ann' not in rest:
        extra += ['--voc-root', os.environ.get('VOC_ROOT',
                                               'data/VOCdevkit/VOC2007')]
    # MMSelfSup's SVM scripts always ran the full and the low-shot SVMs;
    # LOW_SHOT=0 runs the full ones only
    if os.environ.get('LOW_SHOT', '1') != '0':
        extra.append('--low-shot')
    if slurm:
        # srun starts the tasks; map slurm's variables to torch.distributed's
        prefix = srun(*slurm_job, gpus) + [
            'sh', '-c', 'export RANK=$SLURM_PROCID WORLD_SIZE=$SLURM_NTASKS '
            'LOCAL_RANK=$SLURM_LOCALID MASTER_ADDR=$(scontrol show hostnames '
            '"$SLURM_JOB_NODELIST" | head -n1) MASTER_PORT=${PORT:-29500}; '
            'exec "$0" "$@"', sys.executable]
    else:
        prefix, _ = launch_prefix(gpus)
    cmd = prefix + [osp.join(SVM_DIR, 'svm_voc07.py'), config,
                    '--checkpoint', checkpoint, '--features', *features,
                    *extra, '--work-dir', work_dir] + rest
    return run(cmd)


#: kind -> (usage, number of required arguments, job)
JOBS: Dict[str, Tuple[str, int, object]] = {
    'py-train': ('python tools/train.py CONFIG [--work-dir DIR] '
                 '[--resume-from CKPT] [--deterministic] [--seed N] '
                 '[--launcher none|pytorch|slurm] [--cfg-options k=v ...]', 1,
                 lambda a: job_python(a, 'train')),
    'py-test': ('python tools/test.py CONFIG CHECKPOINT [test.py args]', 2,
                lambda a: job_python(a, 'test')),
    'train': ('tools/dist_train.sh CONFIG GPUS [--work-dir DIR] '
              '[--resume-from CKPT] [--deterministic] [--seed N] '
              '[--cfg-options k=v ...]  (GPUS=0: one CPU process)',
              2, lambda a: job_train(a)),
    'test': ('tools/dist_test.sh CONFIG CHECKPOINT GPUS [test.py args]  '
             '(GPUS=0: one CPU process)', 3, lambda a: job_test(a)),
    'slurm-train': ('[GPUS=8] tools/slurm_train.sh PARTITION JOB_NAME '
                    'CONFIG [WORK_DIR] [train.py args]', 3,
                    lambda a: job_train(a, slurm=True)),
    'cls-test': ('[GPUS=8] benchmarks/classification/mim_dist_test.sh '
                 'CONFIG CHECKPOINT [test.py args]  (MMSelfSup 1.x)', 2,
                 lambda a: job_test(a, gpus_arg=False)),
    'slurm-cls-test': ('[GPUS=8] benchmarks/classification/'
                       'mim_slurm_test.sh PARTITION CONFIG CHECKPOINT '
                       '[test.py args]  (MMSelfSup 1.x)', 3,
                       lambda a: job_test(a, gpus_arg=False, slurm=True)),
    'linear': ('[GPUS=8] benchmarks/classification/dist_train_linear.sh '
               'CONFIG PRETRAIN [train.py args]  (GPUS=0: one CPU process)',
               2, lambda a: job_finetune(a, 'linear')),
    'semi': ('[GPUS=4] benchmarks/classification/dist_train_semi.sh '
             'CONFIG PRETRAIN [train.py args]  (GPUS=0: one CPU process)',
             2, lambda a: job_finetune(a, 'semi')),
    'slurm-linear': ('[GPUS=8] benchmarks/classification/'
                     'slurm_train_linear.sh PARTITION JOB_NAME CONFIG '
                     'PRETRAIN [train.py args]', 4,
                     lambda a: job_finetune(a, 'linear', slurm=True)),
    'slurm-semi': ('[GPUS=4] benchmarks/classification/slurm_train_semi.sh '
                   'PARTITION JOB_NAME CONFIG PRETRAIN [train.py args]', 4,
                   lambda a: job_finetune(a, 'semi', slurm=True)),
    'knn-pretrain': ('[GPUS=8] benchmarks/classification/knn/'
                     'dist_test_knn_pretrain.sh SELFSUP_CONFIG PRETRAIN '
                     '[test_knn.py args]  (GPUS=0: one CPU process)', 2,
                     lambda a: job_knn(a, by_epoch=False)),
    'knn-epoch': ('[GPUS=8] benchmarks/classification/knn/'
                  'dist_test_knn_epoch.sh SELFSUP_CONFIG EPOCH '
                  '[test_knn.py args]  (GPUS=0: one CPU process)', 2,
                  lambda a: job_knn(a, by_epoch=True)),
    'slurm-knn-pretrain': ('[GPUS=8] benchmarks/classification/knn/'
                           'slurm_test_knn_pretrain.sh PARTITION JOB_NAME '
                           'SELFSUP_CONFIG PRETRAIN [test_knn.py args]', 4,
                           lambda a: job_knn(a, False, slurm=True)),
    'slurm-knn-epoch': ('[GPUS=8] benchmarks/classification/knn/'
                        'slurm_test_knn_epoch.sh PARTITION JOB_NAME '
                        'SELFSUP_CONFIG EPOCH [test_knn.py args]', 4,
                        lambda a: job_knn(a, True, slurm=True)),
    'svm-pretrain': ('benchmarks/classification/svm_voc07/'
                     'dist_test_svm_pretrain.sh SELFSUP_CONFIG GPUS PRETRAIN '
                     '["FEATURE_LIST" (default feat5)] [svm_voc07.py args]  '
                     '(GPUS=0: one CPU process)', 3,
                     lambda a: job_svm(a, by_epoch=False)),
    'svm-epoch': ('[GPUS=8] benchmarks/classification/svm_voc07/'
                  'dist_test_svm_epoch.sh SELFSUP_CONFIG EPOCH '
                  '["FEATURE_LIST" (default feat5)] [svm_voc07.py args]', 2,
                  lambda a: job_svm(a, by_epoch=True)),
    'slurm-svm-pretrain': ('[GPUS=8] benchmarks/classification/svm_voc07/'
                           'slurm_test_svm_pretrain.sh PARTITION JOB_NAME '
                           'SELFSUP_CONFIG PRETRAIN ["FEATURE_LIST"] '
                           '[svm_voc07.py args]', 4,
                           lambda a: job_svm(a, False, slurm=True)),
    'slurm-svm-epoch': ('[GPUS=8] benchmarks/classification/svm_voc07/'
                        'slurm_test_svm_epoch.sh PARTITION JOB_NAME '
                        'SELFSUP_CONFIG EPOCH ["FEATURE_LIST"] '
                        '[svm_voc07.py args]', 4,
                        lambda a: job_svm(a, True, slurm=True)),
}


def main(argv: Optional[List[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in JOBS:
        print(__doc__ + '\nKINDS: ' + ', '.join(JOBS), file=sys.stderr)
        return 2
    kind, args = argv[0], argv[1:]
    usage, nargs, job = JOBS[kind]
    try:
        given = args[:nargs]
        if len(given) < nargs or '' in given:
            names = re.split(r'\.(?:sh|py) ', usage, 1)[1].split()[:nargs]
            first = given.index('') if '' in given else len(given)
            raise UsageError(f'missing argument {names[first]} (got '
                             f'{len(args)} arguments, {nargs} required).')
        return job(args)
    except UsageError as exc:
        print(f'usage: {usage}\nerror: {exc}', file=sys.stderr)
        return 2


if __name__ == '__main__':
    sys.exit(main())
