"""The shell launchers with MMSelfSup 0.9's command lines, through sh and bash.

* every launcher command of docs/launchers.md, docs/evaluation.md and the
  README's launcher block runs as typed (``${...}`` placeholders set in the
  environment): ``sh`` and ``bash`` must hand tools/misc/launch.py the same
  arguments (a stub ``$PYTHON`` records them), then the launcher runs with
  ``DRY_RUN=1`` (all checks run, the command is printed);
* the N-GPU / slurm command lines built are checked argument by argument;
* the CPU path (GPUS=0, one process) trains and evaluates for real at tiny
  size: pretrain -> resume (``--resume-from``) -> kNN by epoch -> linear
  (``--deterministic``), a PRETRAIN of another architecture stops before
  training, dist_test.sh on a plain mmpretrain config's legacy checkpoint.

The tests run in a scratch folder that links configs/, tools/ and
benchmarks/ (work_dirs/ is created there, as in a checkout).
"""
import functools
import http.server
import json
import os
import os.path as osp
import re
import shlex
import subprocess
import sys
import threading

import pytest
import torch

from tests.helpers import REPO_ROOT

SHELLS = ('sh', 'bash')
ROT = 'configs/rotation_pred/rotation-pred_resnet18-cifar-w16_1xb64-steplr-2e_fashion-mnist.py'  # noqa: E501
ROT_NAME = osp.splitext(osp.basename(ROT))[0]
LINEAR = 'configs/benchmarks/classification/fashion_mnist/resnet18-cifar-w16_linear_1xb64-steplr-2e_fashion-mnist.py'  # noqa: E501
SEMI = 'configs/benchmarks/classification/fashion_mnist/resnet18-cifar-w16_head10_1xb64-steplr1e-2-4e_fashion-mnist-10pct.py'  # noqa: E501
ODC_IN1K = 'configs/selfsup/odc/odc_resnet50_8xb64-steplr-440e_in1k.py'
KNN_FMNIST = 'configs/_base_/datasets/fashion-mnist_knn.py'

SCRIPTS = {  # script -> (required argument names)
    'tools/dist_train.sh': ('CONFIG', 'GPUS'),
    'tools/dist_test.sh': ('CONFIG', 'CHECKPOINT', 'GPUS'),
    'tools/slurm_train.sh': ('PARTITION', 'JOB_NAME', 'CONFIG'),
    'benchmarks/classification/mim_dist_train.sh': ('CONFIG', 'PRETRAIN'),
    'benchmarks/classification/mim_slurm_train.sh':
    ('PARTITION', 'JOB_NAME', 'CONFIG', 'PRETRAIN'),
    'benchmarks/classification/mim_dist_test.sh': ('CONFIG', 'CHECKPOINT'),
    'benchmarks/classification/mim_slurm_test.sh':
    ('PARTITION', 'CONFIG', 'CHECKPOINT'),
    'benchmarks/classification/knn/dist_test_knn.sh':
    ('SELFSUP_CONFIG', 'PRETRAIN'),
    'benchmarks/classification/knn/slurm_test_knn.sh':
    ('PARTITION', 'JOB_NAME', 'SELFSUP_CONFIG', 'PRETRAIN'),
    'benchmarks/classification/dist_train_linear.sh': ('CONFIG', 'PRETRAIN'),
    'benchmarks/classification/dist_train_semi.sh': ('CONFIG', 'PRETRAIN'),
    'benchmarks/classification/slurm_train_linear.sh':
    ('PARTITION', 'JOB_NAME', 'CONFIG', 'PRETRAIN'),
    'benchmarks/classification/slurm_train_semi.sh':
    ('PARTITION', 'JOB_NAME', 'CONFIG', 'PRETRAIN'),
    'benchmarks/classification/knn/dist_test_knn_pretrain.sh':
    ('SELFSUP_CONFIG', 'PRETRAIN'),
    'benchmarks/classification/knn/dist_test_knn_epoch.sh':
    ('SELFSUP_CONFIG', 'EPOCH'),
    'benchmarks/classification/knn/slurm_test_knn_pretrain.sh':
    ('PARTITION', 'JOB_NAME', 'SELFSUP_CONFIG', 'PRETRAIN'),
    'benchmarks/classification/knn/slurm_test_knn_epoch.sh':
    ('PARTITION', 'JOB_NAME', 'SELFSUP_CONFIG', 'EPOCH'),
    'benchmarks/classification/svm_voc07/dist_test_svm_pretrain.sh':
    ('SELFSUP_CONFIG', 'GPUS', 'PRETRAIN'),
    'benchmarks/classification/svm_voc07/dist_test_svm_epoch.sh':
    ('SELFSUP_CONFIG', 'EPOCH'),
    'benchmarks/classification/svm_voc07/slurm_test_svm_pretrain.sh':
    ('PARTITION', 'JOB_NAME', 'SELFSUP_CONFIG', 'PRETRAIN'),
    'benchmarks/classification/svm_voc07/slurm_test_svm_epoch.sh':
    ('PARTITION', 'JOB_NAME', 'SELFSUP_CONFIG', 'EPOCH'),
    'benchmarks/mmdetection/mim_dist_train.sh': ('CONFIG', 'PRETRAIN', 'GPUS'),
    'benchmarks/mmdetection/mim_slurm_train.sh':
    ('PARTITION', 'CONFIG', 'PRETRAIN'),
    'benchmarks/mmsegmentation/mim_dist_train.sh':
    ('CONFIG', 'PRETRAIN', 'GPUS'),
    'benchmarks/mmsegmentation/mim_slurm_train.sh':
    ('PARTITION', 'CONFIG', 'PRETRAIN'),
    'tools/train.py': ('CONFIG', ),
    'tools/test.py': ('CONFIG', 'CHECKPOINT'),
}


# --------------------------------------------------------------------------
# helpers


def make_checkout(path) -> str:
    """A scratch folder that looks like the repository root."""
    os.makedirs(path, exist_ok=True)
    for name in ('configs', 'tools', 'benchmarks'):
        link = osp.join(path, name)
        if not osp.exists(link):
            os.symlink(osp.join(REPO_ROOT, name), link)
    return str(path)


def shell_env(**extra) -> dict:
    env = dict(os.environ, PYTHON=sys.executable, OMP_NUM_THREADS='1',
               PYTHONPATH=REPO_ROOT)
    env['PATH'] = osp.dirname(sys.executable) + os.pathsep + env['PATH']
    for key in ('GPUS', 'WORK_DIR', 'WORK_DIR_PRETRAIN', 'OUT_DIR',
                'DRY_RUN', 'PORT', 'LOW_SHOT'):
        env.pop(key, None)
    env.update({k: str(v) for k, v in extra.items()})
    return env


def sh(shell: str, line: str, cwd: str, timeout: float = 600,
       **env) -> subprocess.CompletedProcess:
    """Run one command line as typed, with ``bash X.sh`` replaced by
    ``SHELL X.sh``."""
    line = re.sub(r'\b(?:bash|sh) (\S+\.sh)\b', shell + r' \1', line)
    return subprocess.run([shell, '-c', line], cwd=cwd, env=shell_env(**env),
                          capture_output=True, text=True, timeout=timeout)


#: Stands in for $PYTHON: prints the arguments the shell wrapper passed on.
FAKE_PYTHON = '#!/bin/sh\nfor a in "$@"; do printf "%s\\0" "$a"; done\n'


def wrapper_argv(shell: str, line: str, cwd: str, **env) -> list:
    """The arguments a launcher's shell wrapper hands to tools/misc/launch.py
    under ``shell`` (nothing runs: $PYTHON is a stub)."""
    fake = osp.join(cwd, '.fake_python')
    if not osp.exists(fake):
        with open(fake, 'w') as f:
            f.write(FAKE_PYTHON)
        os.chmod(fake, 0o755)
    line = re.sub(r'\b(?:bash|sh) (\S+\.sh)\b', shell + r' \1', line)
    env = shell_env(**env)
    env['PYTHON'] = fake
    proc = subprocess.run([shell, '-c', line], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.split('\0')[:-1]


def dry(line: str, cwd: str, **env) -> list:
    """The command a launcher would start (DRY_RUN=1), split. sh and bash
    must hand launch.py the same arguments; launch.py then runs once."""
    argvs = [wrapper_argv(shell, line, cwd, **env) for shell in SHELLS]
    assert argvs[0] == argvs[1], argvs
    assert argvs[0][0].endswith(osp.join('tools', 'misc', 'launch.py'))
    proc = sh('sh', line, cwd, DRY_RUN=1, **env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = [ln for ln in proc.stdout.splitlines() if ln.strip()]
    return shlex.split(lines[-1])


def save_backbone(path, base_channels=16, prefix='backbone.'):
    from mmpretrain.models.backbones import ResNet_CIFAR
    torch.manual_seed(0)
    net = ResNet_CIFAR(depth=18, stem_channels=base_channels,
                       base_channels=base_channels)
    torch.save({'state_dict': {prefix + k: v
                               for k, v in net.state_dict().items()}}, path)
    return str(path)


def fmnist_opts(root: str, n_train=64, n_test=32) -> str:
    """--cfg-options shrinking the Fashion-MNIST configs to a tiny run."""
    return ' '.join([
        f'train_dataloader.dataset.data_root={root}',
        f'train_dataloader.dataset.indices={n_train}',
        'train_dataloader.num_workers=0',
        'train_dataloader.persistent_workers=False',
    ])


def knn_opts(root: str) -> str:
    return ' '.join([
        f'knn_train_dataloader.dataset.data_root={root}',
        f'knn_test_dataloader.dataset.data_root={root}',
        'knn_train_dataloader.dataset.indices=60',
        'knn_test_dataloader.dataset.indices=20',
        'knn_train_dataloader.num_workers=0',
        'knn_test_dataloader.num_workers=0'])


@pytest.fixture(scope='module')
def checkout(tmp_path_factory):
    root = make_checkout(tmp_path_factory.mktemp('checkout'))
    pretrain = save_backbone(osp.join(root, 'pretrain_r18w16.pth'))
    ckpt_dir = osp.join(root, 'work_dirs', ROT_NAME)
    os.makedirs(ckpt_dir)
    torch.save({'state_dict': torch.load(pretrain)['state_dict']},
               osp.join(ckpt_dir, 'epoch_1.pth'))
    return root, pretrain


def placeholders(root: str, pretrain: str) -> dict:
    return dict(
        CONFIG_FILE=ROT, CONFIG=LINEAR, SELFSUP_CONFIG=ROT, GPUS=8,
        YOUR_WORK_DIR='work_dirs/mine', PRETRAIN=pretrain, EPOCH=1,
        CHECKPOINT_FILE=osp.join(root, 'work_dirs', ROT_NAME, 'epoch_1.pth'),
        CHECKPOINT=pretrain,
        PARTITION='Dummy', JOB_NAME='job', GPUS_PER_NODE=8, SRUN_ARGS='',
        MASTER_PORT=29511, MASTER_ADDR='10.0.0.1', FEATURE_LIST='feat5')


def documented_commands(path: str, heading: str = None) -> list:
    """The launcher lines (``... X.sh ...``) of the bash blocks of ``path``
    (of one section when ``heading`` is given), continuation lines joined."""
    text = open(osp.join(REPO_ROOT, path)).read()
    if heading:
        text = text.split(heading, 1)[1].split('\n## ', 1)[0]
    out = []
    for block in re.findall(r'```bash\n(.*?)```', text, re.S):
        for line in block.replace('\\\n', ' ').splitlines():
            line = line.split(' #')[0].strip()
            if (re.search(r'\.sh\b|tools/(train|test)\.py', line)
                    and not line.startswith('#')):
                out.append(line)
    return out


# --------------------------------------------------------------------------
# usage errors


@pytest.mark.parametrize('shell', SHELLS)
@pytest.mark.parametrize('script', sorted(SCRIPTS))
def test_wrong_argument_count_names_the_argument(shell, script, tmp_path):
    root = make_checkout(tmp_path)
    names = SCRIPTS[script]
    args = ' '.join(['x'] * (len(names) - 1))
    run = 'python' if script.endswith('.py') else shell
    proc = sh(shell, f'{run} {script} {args}', root)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert 'usage' in proc.stderr.lower() or 'Usage' in proc.stderr
    assert names[-1] in proc.stderr


@pytest.mark.parametrize('shell', SHELLS)
def test_missing_files_are_named(shell, checkout):
    root, pretrain = checkout
    cases = [
        ('tools/dist_train.sh configs/nothere.py 0', 'CONFIG'),
        (f'tools/dist_test.sh {ROT} nothere.pth 0', 'CHECKPOINT'),
        (f'benchmarks/classification/dist_train_linear.sh {LINEAR} '
         f'nothere.pth', 'PRETRAIN'),
        (f'benchmarks/classification/knn/dist_test_knn_pretrain.sh {ROT} '
         f'nothere.pth', 'PRETRAIN'),
        (f'tools/dist_train.sh {ROT} two', 'GPUS'),
    ]
    for line, name in cases:
        proc = sh(shell, f'{shell} {line}', root, DRY_RUN=1)
        assert proc.returncode == 2, (line, proc.stderr)
        assert 'usage:' in proc.stderr and name in proc.stderr, proc.stderr
        assert 'nothere' in proc.stderr or 'two' in proc.stderr


def test_missing_epoch_checkpoint_lists_the_paths_tried(checkout):
    root, _ = checkout
    proc = sh('sh', 'sh benchmarks/classification/knn/dist_test_knn_epoch.sh '
              'configs/selfsup/rotation_pred/' + osp.basename(ROT) + ' 7',
              root, DRY_RUN=1)
    assert proc.returncode == 2
    err = proc.stderr
    for path in (f'work_dirs/{ROT_NAME}/epoch_7.pth',
                 f'work_dirs/selfsup/rotation_pred/{ROT_NAME}/epoch_7.pth',
                 f'work_dirs/rotation_pred/{ROT_NAME}/epoch_7.pth',
                 f'work_dirs/selfsup/{ROT_NAME}/epoch_7.pth'):
        assert path in err, err


# --------------------------------------------------------------------------
# every documented command, sh and bash, dry run


def test_documented_commands_run(checkout):
    root, pretrain = checkout
    lines = (documented_commands('docs/launchers.md') +
             documented_commands('docs/evaluation.md') +
             documented_commands('README.md', '## Multi-GPU, multi-node, '
                                 'slurm'))
    assert len(lines) >= 40
    for line in lines:
        if 'mmdetection/' in line or 'mmsegmentation/' in line:
            continue  # tests/test_transfer runs them (needs mmcv ops)
        env = placeholders(root, pretrain)
        if re.search(r'\.sh\b', line):
            cmd = shlex.join(dry(line, root, **env))
        else:  # python tools/train.py ...: run under both shells
            for shell in SHELLS:
                proc = sh(shell, line, root, DRY_RUN=1, **env)
                assert proc.returncode == 0, (line, proc.stderr)
            cmd = proc.stdout.strip().splitlines()[-1]
        assert re.search(r'(train|test|test_knn|svm_voc07)\.py', cmd), cmd


def test_manual_train_command_lines(checkout):
    root, _ = checkout
    cmd = dry(f'bash tools/dist_train.sh {ODC_IN1K} 8 --work-dir '
              'work_dirs/selfsup/odc/odc_resnet50_8xb64-steplr-440e_in1k/ '
              '--resume-from w/epoch_3.pth --deterministic', root)
    assert cmd[1:3] == ['-m', 'torch.distributed.run']
    assert '--nproc_per_node=8' in cmd and '--master_port=29500' in cmd
    assert cmd[cmd.index('--launcher') + 1] == 'pytorch'
    assert cmd[cmd.index('--resume') + 1] == 'w/epoch_3.pth'
    assert '--resume-from' not in cmd
    assert 'configs/odc/odc_resnet50_8xb64-steplr-440e_in1k.py' in cmd
    entry = [i for i, a in enumerate(cmd) if a.endswith('mmssl_entry.py')]
    assert entry and entry[0] == 8  # right after torch.distributed.run's
    assert cmd[9].endswith(osp.join('.mim', 'tools', 'train.py'))
    opts = cmd[cmd.index('--cfg-options') + 1:]
    assert 'randomness.deterministic=True' in opts
    assert 'randomness.seed=0' in opts  # MMSelfSup's --seed 0

    cmd = dry(f'sh tools/dist_train.sh {ROT} 0 --seed 3', root)
    assert cmd[0] == sys.executable and 'torch.distributed.run' not in cmd
    assert cmd[cmd.index('--launcher') + 1] == 'none'
    assert 'randomness.seed=3' in cmd and 'randomness.seed=0' not in cmd

    cmd = dry(f'bash tools/dist_train.sh {ROT} 2', root, NNODES=2,
              NODE_RANK=1, PORT=29600, MASTER_ADDR='10.1.1.1')
    assert {'--nnodes=2', '--node_rank=1', '--master_port=29600',
            '--master_addr=10.1.1.1', '--nproc_per_node=2'} <= set(cmd)

    cmd = dry(f'bash tools/slurm_train.sh Dummy Test_job {ODC_IN1K} '
              'wd --cfg-options dist_params.port=29501', root, GPUS=16,
              GPUS_PER_NODE=8, SRUN_ARGS='--quotatype=auto')
    assert cmd[:4] == ['srun', '-p', 'Dummy', '--job-name=Test_job']
    assert {'--ntasks=16', '--ntasks-per-node=8', '--gres=gpu:8',
            '--quotatype=auto'} <= set(cmd)
    assert cmd[cmd.index('--launcher') + 1] == 'slurm'
    assert cmd[cmd.index('--work-dir') + 1] == 'wd'
    assert 'env_cfg.dist_cfg.port=29501' in cmd

    cmd = dry(f'bash tools/dist_test.sh {ROT} {root}/work_dirs/'
              f'{ROT_NAME}/epoch_1.pth 4', root)
    assert '--nproc_per_node=4' in cmd and cmd[-2:] == ['--launcher',
                                                        'pytorch']
    assert cmd[cmd.index('--launcher') - 3].endswith(
        osp.join('.mim', 'tools', 'test.py'))


def test_benchmark_command_lines(checkout):
    root, pretrain = checkout
    base = 'benchmarks/classification'
    cmd = dry(f'bash {base}/dist_train_linear.sh {LINEAR} {pretrain} '
              '--deterministic', root)
    assert '--nproc_per_node=8' in cmd
    opts = cmd[cmd.index('--cfg-options') + 1:]
    assert {'model.backbone.init_cfg.type=Pretrained',
            f'model.backbone.init_cfg.checkpoint={pretrain}',
            'model.backbone.init_cfg.prefix=backbone.',
            'randomness.deterministic=True'} <= set(opts)
    cmd = dry(f'bash {base}/dist_train_semi.sh {SEMI} {pretrain}',
              root)
    assert '--nproc_per_node=4' in cmd  # MMSelfSup's semi-supervised default
    cmd = dry(f'bash {base}/slurm_train_semi.sh P J {SEMI} '
              f'{pretrain}', root)
    assert {'--job-name=J', '--ntasks=4', '--ntasks-per-node=4'} <= set(cmd)
    cmd = dry(f'bash {base}/slurm_train_linear.sh P J {LINEAR} '
              f'{pretrain} train_cfg.max_epochs=1', root)
    assert cmd[:4] == ['srun', '-p', 'P', '--job-name=J']
    assert 'train_cfg.max_epochs=1' in cmd and '--ntasks=8' in cmd

    cmd = dry(f'bash {base}/knn/slurm_test_knn_pretrain.sh P J '
              f'{ODC_IN1K} {pretrain} --num-knn 10 20', root)
    assert cmd[:4] == ['srun', '-p', 'P', '--job-name=J']
    assert cmd[cmd.index('--ks') + 1:cmd.index('--ks') + 3] == ['10', '20']
    # the in1k config has no kNN splits: MMSelfSup's ImageNet kNN data
    assert cmd[cmd.index('--knn-data') + 1].endswith(
        'configs/benchmarks/classification/knn_imagenet.py')
    cmd = dry(f'bash {base}/knn/slurm_test_knn_epoch.sh P J {ROT} 1',
              root)
    assert cmd[cmd.index('--checkpoint') + 1] == osp.join(
        'work_dirs', ROT_NAME, 'epoch_1.pth')

    cmd = dry(f'bash {base}/svm_voc07/dist_test_svm_pretrain.sh {ROT}'
              f' 8 {pretrain}', root)
    feats = cmd.index('--features')
    assert cmd[feats + 1:feats + 3] == ['feat5', '--voc-root']
    # full and low-shot SVMs, as MMSelfSup's scripts; LOW_SHOT=0: full only
    assert '--low-shot' in cmd
    assert '--low-shot' not in dry(
        f'bash {base}/svm_voc07/dist_test_svm_pretrain.sh {ROT} 8 '
        f'{pretrain}', root, LOW_SHOT=0)
    cmd = dry(f'bash {base}/svm_voc07/dist_test_svm_epoch.sh {ROT} 1 '
              '"feat1 feat5"', root, GPUS=0)
    assert cmd[0] == sys.executable and 'torch.distributed.run' not in cmd
    assert cmd[cmd.index('--features') + 1:][:2] == ['feat1', 'feat5']
    cmd = dry(f'bash {base}/svm_voc07/slurm_test_svm_epoch.sh P J '
              f'{ROT} 1', root)
    assert cmd[:4] == ['srun', '-p', 'P', '--job-name=J']
    assert cmd[cmd.index('--features') + 1] == 'feat5'


def test_manual_script_paths_of_0x_and_1x(checkout):
    """The manuals type ``bash tools/benchmarks/classification/...`` (0.x and
    1.x) and ``.../knn_imagenet/...`` (0.x): those paths are links to
    benchmarks/ and build exactly the same commands."""
    root, pretrain = checkout
    for link, target in (('tools/benchmarks/classification',
                          'benchmarks/classification'),
                         ('tools/benchmarks/mmdetection',
                          'benchmarks/mmdetection'),
                         ('tools/benchmarks/mmsegmentation',
                          'benchmarks/mmsegmentation'),
                         ('benchmarks/classification/knn_imagenet',
                          'benchmarks/classification/knn')):
        assert osp.samefile(osp.join(REPO_ROOT, link),
                            osp.join(REPO_ROOT, target)), link
    lines = [
        ('tools/benchmarks/classification/dist_train_linear.sh',
         f'{LINEAR} {pretrain}'),
        ('tools/benchmarks/classification/slurm_train_semi.sh',
         f'P J {SEMI} {pretrain}'),
        ('tools/benchmarks/classification/knn_imagenet/'
         'dist_test_knn_pretrain.sh', f'{ROT} {pretrain}'),
        ('tools/benchmarks/classification/svm_voc07/dist_test_svm_epoch.sh',
         f'{ROT} 1'),
    ]
    for old, args in lines:
        new = old.replace('tools/benchmarks/', 'benchmarks/').replace(
            'knn_imagenet/', 'knn/')
        assert dry(f'bash {old} {args}', root) == dry(
            f'bash {new} {args}', root), old


def test_epoch_scripts_find_every_training_location(checkout, tmp_path):
    """Each place a manual command writes checkpoints is found."""
    root = make_checkout(tmp_path / 'c')
    name = ROT_NAME
    mine = str(tmp_path / 'mine')
    cases = [
        (f'work_dirs/{name}', {}),  # mim train / train.py default
        (f'work_dirs/selfsup/rotation_pred/{name}', {}),  # manual --work-dir
        (f'work_dirs/rotation_pred/{name}', {}),  # MMSelfSup train.py
        (f'work_dirs/selfsup/{name}', {}),
        (mine, dict(WORK_DIR=mine)),
    ]
    knn = 'sh benchmarks/classification/knn/dist_test_knn_epoch.sh'
    for folder, env in cases:
        ckpt = osp.join(root, folder, 'epoch_2.pth') if not osp.isabs(
            folder) else osp.join(folder, 'epoch_2.pth')
        os.makedirs(osp.dirname(ckpt), exist_ok=True)
        open(ckpt, 'wb').close()
        for config in (ROT, f'configs/selfsup/rotation_pred/{name}.py'):
            cmd = dry(f'{knn} {config} 2', root, **env)
            got = cmd[cmd.index('--checkpoint') + 1]
            assert osp.samefile(osp.join(root, got), ckpt), (folder, got)
        os.remove(ckpt)
    # a --work-dir given to dist_train.sh is recorded and found
    proc = sh('sh', f'sh tools/dist_train.sh {ROT} 2 --work-dir {mine}x',
              root, CUDA_VISIBLE_DEVICES='')  # stops (no GPU) after recording
    assert proc.returncode == 2 and 'GPUS=0' in proc.stderr
    os.makedirs(mine + 'x')
    open(osp.join(mine + 'x', 'epoch_2.pth'), 'wb').close()
    cmd = dry(f'{knn} {ROT} 2', root)
    assert cmd[cmd.index('--checkpoint') + 1] == osp.join(mine + 'x',
                                                          'epoch_2.pth'), \
        proc.stderr
    runs = json.load(open(osp.join(root, 'work_dirs',
                                   '.mmssl_ext_work_dirs.json')))
    assert runs[ROT_NAME][0] == mine + 'x'


def test_legacy_runtime_keys_are_reported(checkout, tmp_path):
    root, _ = checkout
    cfg = tmp_path / 'old.py'
    cfg.write_text(f"_base_ = '{osp.join(REPO_ROOT, ROT)}'\n"
                   "lr_config = dict(policy='step', step=[1])\n"
                   "log_config = dict(interval=10)\n"
                   "total_epochs = 3\n"
                   "data = dict(imgs_per_gpu=32, workers_per_gpu=2)\n")
    proc = sh('sh', f'sh tools/dist_train.sh {cfg} 0', root, DRY_RUN=1)
    assert proc.returncode == 0, proc.stderr
    for key in ('lr_config', 'log_config', 'total_epochs',
                'data.imgs_per_gpu', 'migrate_mmselfsup_config.py'):
        assert key in proc.stderr, proc.stderr
    proc = sh('sh', f'sh tools/dist_train.sh {ROT} 0', root, DRY_RUN=1)
    assert 'WARNING' not in proc.stderr


def test_pretrained_url_is_fetched_not_refused(tmp_path):
    """--cfg-options model.pretrained=http://... (MMSelfSup 0.x) works."""
    served = tmp_path / 'srv'
    served.mkdir()
    save_backbone(served / 'r18.pth', base_channels=8)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler,
                                directory=str(served))
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f'http://127.0.0.1:{server.server_address[1]}/r18.pth'
        out = subprocess.run(
            [sys.executable, osp.join(REPO_ROOT, 'tools', 'misc',
                                      'seed_args.py'), 'train',
             '--cfg-options', f'model.pretrained={url}'],
            env=shell_env(TORCH_HOME=str(tmp_path / 'hub')),
            capture_output=True, text=True, timeout=300)
    finally:
        server.shutdown()
    assert out.returncode == 0, out.stderr
    lines = out.stdout.split()
    assert f'model.backbone.init_cfg.checkpoint={url}' in lines
    assert 'model.backbone.init_cfg.prefix=backbone.' in lines
    assert osp.isfile(tmp_path / 'hub' / 'hub' / 'checkpoints' / 'r18.pth')


# --------------------------------------------------------------------------
# the CPU path for real (sh; bash builds the same command, checked above)


def test_cpu_pretrain_resume_knn_epoch_linear(fmnist_tiny, tmp_path):
    root = make_checkout(tmp_path)
    manual_cfg = f'configs/selfsup/rotation_pred/{ROT_NAME}.py'
    work = f'work_dirs/selfsup/rotation_pred/{ROT_NAME}/'
    opts = fmnist_opts(fmnist_tiny)
    # the manual: dist_train.sh CONFIG GPUS --work-dir DIR, here GPUS=0
    proc = sh('sh', f'sh tools/dist_train.sh {manual_cfg} 0 --work-dir '
              f'{work} --cfg-options {opts} train_cfg.max_epochs=1', root)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert osp.isfile(osp.join(root, work, 'epoch_1.pth'))
    # --resume-from (0.x) continues at epoch 2
    proc = sh('sh', f'sh tools/dist_train.sh {manual_cfg} 0 --work-dir '
              f'{work} --resume-from {work}epoch_1.pth --cfg-options {opts} '
              'train_cfg.max_epochs=2', root)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert 'resumed' in (proc.stdout + proc.stderr).lower()
    assert 'Epoch(train) [1]' not in proc.stdout + proc.stderr
    assert osp.isfile(osp.join(root, work, 'epoch_2.pth'))
    # kNN of epoch 2, MMSelfSup's flags
    proc = sh('sh', 'sh benchmarks/classification/knn/dist_test_knn_epoch.sh'
              f' {manual_cfg} 2 --dataset-config {KNN_FMNIST} --num-knn 5 '
              f'--work-dir knn_out --cfg-options {knn_opts(fmnist_tiny)}',
              root, GPUS=0)
    assert proc.returncode == 0, proc.stderr[-3000:]
    res = json.load(open(osp.join(root, 'knn_out', 'epoch_2.json')))
    assert res['ks'] == [5] and 0 <= res['results']['epoch_2.pth'][
        'k5_top1'] <= 100
    # VOC07-protocol SVM of epoch 2 (FEATURE_LIST feat5) on a tiny
    # multi-label list made of Fashion-MNIST labels, with the RotationPred
    # config itself (its 4-view data preprocessor normalises single images
    # for extraction), the run's folder from WORK_DIR_PRETRAIN.
    anns = {}
    for split, n in (('train', 60), ('test', 40)):
        rows = open(osp.join(fmnist_tiny, 'meta', f'{split}.txt')).read()
        anns[split] = tmp_path / f'{split}_ml.txt'
        anns[split].write_text('\n'.join(rows.split('\n')[:n]) + '\n')
    proc = sh('sh', 'sh benchmarks/classification/svm_voc07/'
              f'dist_test_svm_epoch.sh {manual_cfg} 2 "feat5" --train-ann '
              f'{anns["train"]} --test-ann {anns["test"]} --data-root '
              f'{fmnist_tiny} --num-classes 10 --img-size 32 --pool-type '
              'adaptive --pool-sizes 2 2 2 2 1 --costs 0.1 --batch-size 16',
              root, GPUS=0, WORK_DIR='work_dirs/svm', WORK_DIR_PRETRAIN=work,
              LOW_SHOT=0)
    assert proc.returncode == 0, proc.stderr[-3000:]
    svm = json.load(open(osp.join(root, 'work_dirs', 'svm',
                                  'svm_voc07_results.json')))
    assert 'feat5' in json.dumps(svm)
    # linear evaluation of that checkpoint, --deterministic, one CPU process
    lin_opts = ' '.join([
        f'{split}_dataloader.dataset.{k}'
        for split in ('train', 'val', 'test')
        for k in (f'data_root={fmnist_tiny}', 'indices=32')] +
        [f'{s}_dataloader.{k}' for s in ('train', 'val', 'test')
         for k in ('num_workers=0', 'persistent_workers=False')] +
        ['train_cfg.max_epochs=1', 'train_cfg.val_interval=1'])
    proc = sh('sh', 'sh benchmarks/classification/dist_train_linear.sh '
              f'{LINEAR} {work}epoch_2.pth --deterministic --cfg-options '
              f'{lin_opts}', root, GPUS=0, WORK_DIR='work_dirs/lin')
    assert proc.returncode == 0, proc.stderr[-3000:]
    log = proc.stdout + proc.stderr
    assert 'matches' in log and 'accuracy' in log
    assert re.search(r'deterministic(=|: )True', log)
    assert osp.isfile(osp.join(root, 'work_dirs', 'lin', 'epoch_1.pth'))


@pytest.mark.parametrize('script', ['dist_train_linear.sh',
                                    'dist_train_semi.sh'])
def test_pretrain_of_another_architecture_stops_before_training(
        script, tmp_path):
    root = make_checkout(tmp_path)
    other = save_backbone(tmp_path / 'r18w8.pth', base_channels=8)
    cfg = LINEAR if 'linear' in script else SEMI
    proc = sh('sh', f'sh benchmarks/classification/{script} {cfg} {other}',
              root, GPUS=0, WORK_DIR='work_dirs/x')
    assert proc.returncode != 0
    assert 'shapes differ' in proc.stderr and 'conv1.weight' in proc.stderr
    assert 'Stopped before training' in proc.stderr
    assert not osp.exists(osp.join(root, 'work_dirs', 'x'))


PLAIN_CFG = """
_base_ = ['mmpretrain::_base_/default_runtime.py']
model = dict(
    type='ImageClassifier',
    backbone=dict(type='ResNet_CIFAR', depth=18, stem_channels=8,
                  base_channels=8),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(type='LinearClsHead', num_classes=10, in_channels=64,
              loss=dict(type='CrossEntropyLoss')))
data_preprocessor = dict(num_classes=10, mean=[72.9] * 3, std=[90.0] * 3)
pipeline = [dict(type='LoadImageFromFile'), dict(type='PackInputs')]
train_dataloader = dict(
    batch_size=16, num_workers=0, persistent_workers=False,
    collate_fn=dict(type='default_collate'),
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type='CustomDataset', data_root='{root}',
                 ann_file='meta/train.txt', indices=32, pipeline=pipeline))
test_dataloader = dict(
    batch_size=16, num_workers=0, persistent_workers=False,
    collate_fn=dict(type='default_collate'),
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='CustomDataset', data_root='{root}',
                 ann_file='meta/test.txt', indices=16, pipeline=pipeline))
test_evaluator = dict(type='Accuracy', topk=(1, ))
optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.01))
train_cfg = dict(by_epoch=True, max_epochs=1)
test_cfg = dict()
"""


def test_dist_test_loads_a_plain_mmpretrain_checkpoint(fmnist_tiny,
                                                       tmp_path):
    """No custom_imports, a checkpoint written without mmssl_ext: test.py
    alone fails (weights_only), dist_test.sh works (it imports mmssl_ext)."""
    root = make_checkout(tmp_path)
    cfg = tmp_path / 'plain.py'
    cfg.write_text(PLAIN_CFG.replace('{root}', fmnist_tiny))
    sys.path.insert(0, osp.join(REPO_ROOT, 'tools', 'misc'))
    from seed_args import mmpretrain_script
    env = shell_env()
    env.pop('PYTHONPATH')  # mmpretrain's scripts alone: no mmssl_ext
    proc = subprocess.run([sys.executable, mmpretrain_script('train'),
                           str(cfg), '--work-dir', str(tmp_path / 'wd')],
                          env=env, cwd=root, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    ckpt = tmp_path / 'wd' / 'epoch_1.pth'
    bare = subprocess.run([sys.executable, mmpretrain_script('test'),
                           str(cfg), str(ckpt)], env=env, cwd=root,
                          capture_output=True, text=True, timeout=600)
    assert bare.returncode != 0 and 'weights_only' in bare.stderr
    proc = sh('sh', f'sh tools/dist_test.sh {cfg} {ckpt} 0', root)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert 'accuracy/top1' in proc.stdout + proc.stderr


def test_knn_imagenet_data_config(fmnist_tiny, tmp_path, checkout):
    """configs/benchmarks/classification/knn_imagenet.py on an
    ImageNet-layout folder (train/, val/, meta/{train,val}.txt)."""
    _, pretrain = checkout
    root = make_checkout(tmp_path / 'c')
    inet = tmp_path / 'imagenet'
    (inet / 'meta').mkdir(parents=True)
    for split, src in (('train', 'train'), ('val', 'test')):
        os.symlink(osp.join(fmnist_tiny, src), inet / split)
        lines = open(osp.join(fmnist_tiny, 'meta', f'{src}.txt')).read()
        (inet / 'meta' / f'{split}.txt').write_text(
            lines.replace(f'{src}/', ''))
    opts = ' '.join(
        [f'knn_{s}_dataloader.dataset.data_root={inet}' for s in
         ('train', 'test')] +
        ['knn_train_dataloader.dataset.indices=24',
         'knn_test_dataloader.dataset.indices=8',
         'knn_train_dataloader.num_workers=0',
         'knn_test_dataloader.num_workers=0'])
    proc = sh('bash', 'bash benchmarks/classification/knn/'
              f'dist_test_knn_pretrain.sh {ROT} {pretrain} --dataset-config '
              'configs/benchmarks/classification/knn_imagenet.py --num-knn 3 '
              f'--cfg-options {opts}', root, GPUS=0,
              OUT_DIR=str(tmp_path / 'out'))
    assert proc.returncode == 0, proc.stderr[-3000:]
    res = json.load(open(tmp_path / 'out' / 'pretrain_r18w16.json'))
    assert res['num_train'] == 24 and res['num_test'] == 8


def test_browse_dataset_runs_with_the_pinned_matplotlib(fmnist_tiny,
                                                        tmp_path):
    out = tmp_path / 'browse'
    proc = subprocess.run(
        [sys.executable, osp.join(REPO_ROOT, 'tools', 'misc',
                                  'browse_dataset.py'),
         osp.join(REPO_ROOT, LINEAR), '-o', str(out), '-n', '2',
         '--not-show', '-m', 'transformed', '--cfg-options',
         f'train_dataloader.dataset.data_root={fmnist_tiny}'],
        env=shell_env(MPLBACKEND='Agg'), capture_output=True, text=True,
        timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert len(os.listdir(out)) == 2
