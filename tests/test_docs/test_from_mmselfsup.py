"""docs/from_mmselfsup.md end to end at tiny size: an MMSelfSup 0.x ODC
config (the migration fixture) and a 0.x ODC checkpoint fabricated for it
-> migrate -> continue training from the checkpoint (weights loaded, memory
rebuilt) -> kNN, linear probe, VOC07 SVM. The commands are the page's own
blocks; the substitutions are the ones the page lists, each printed with the
command it changes."""
import glob
import json
import os.path as osp
import re

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

import mmssl_ext  # noqa: F401
from mmssl_ext.compat.checkpoint import load_checkpoint_file
from tests.helpers import REPO_ROOT
from tests.test_docs.snippets import (DROP_GPUS, Rewrite, blocks_for,
                                      make_sandbox, run_block, sandbox_env,
                                      shell_commands)
from tests.test_models.test_mmselfsup_checkpoint import (randomize,
                                                         reference_state,
                                                         save_reference)
from tests.test_tools.test_migrate_mmselfsup_config import write_tiny_folder

TEST_ID = ('tests/test_docs/test_from_mmselfsup.py::'
           'test_documented_walkthrough_runs')
ODC_FIXTURE = ('tests/test_tools/migrate_fixtures/v0/'
               'odc_resnet18-tiny_1xb8-steplr-1e_tiny.py')
CKPT = 'mmselfsup_0x_odc_tiny.pth'       # written by the test (sandbox)
KNN_DATA = 'tiny_knn_data.py'
LINEAR = 'tiny_linear.py'
NUM_IMAGES = 16
BATCHES_BEFORE = 7    # num_batches_tracked of the fabricated checkpoint

KNN_DATA_TEXT = """\
# the kNN splits on the 16-image folder (as KNN_DATA, tiny)
knn_pipeline = [dict(type='LoadImageFromFile'), dict(type='PackInputs')]
knn_train_dataloader = dict(
    batch_size=8, num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='default_collate'),
    dataset=dict(type='CustomDataset', data_root='data/tiny',
                 ann_file='meta/train.txt', data_prefix='train',
                 pipeline=knn_pipeline))
knn_test_dataloader = knn_train_dataloader
knn = dict(ks=[3], temperature=0.07)
"""

LINEAR_TEXT = """\
# the documented linear config, shrunk: backbone, data, epochs
_base_ = '{base}'
model = dict(
    backbone=dict(depth=18, stem_channels=8, base_channels=8),
    head=dict(num_classes=2, in_channels=64, topk=(1, )))
_data = dict(_delete_=True, type='CustomDataset', data_root='data/tiny',
             ann_file='meta/train.txt', data_prefix='train',
             pipeline=[dict(type='LoadImageFromFile'),
                       dict(type='PackInputs')])
train_dataloader = dict(batch_size=8, num_workers=0,
                        persistent_workers=False, dataset=_data)
val_dataloader = dict(batch_size=8, num_workers=0, persistent_workers=False,
                      dataset=_data)
test_dataloader = val_dataloader
val_evaluator = dict(type='Accuracy', topk=(1, ))
test_evaluator = val_evaluator
train_cfg = dict(max_epochs=1, val_interval=1)
"""

#: variable -> (its tiny value, why); the others keep the page's value
TINY_VARS = {
    'OLD': (ODC_FIXTURE, 'the 0.x ODC config -> the tiny 0.x fixture'),
    'CKPT': (CKPT, 'the 0.x checkpoint -> a fabricated tiny 0.x ODC '
             'checkpoint'),
    'EPOCHS': ('1', 'EPOCHS -> 1'),
    'KNN_DATA': (KNN_DATA, 'KNN_DATA -> the tiny kNN splits'),
    'LINEAR': (LINEAR, 'LINEAR -> the same config with a tiny backbone, '
               'data and 1 epoch'),
}
SVM_DATA = Rewrite(
    r'--voc-root \$VOC\b',
    '--train-ann data/tiny/meta/train.txt --test-ann data/tiny/meta/train.txt'
    ' --data-root data/tiny/train --num-classes 2 --img-size 32'
    ' --pool-type adaptive --pool-sizes 2 2 2 2 1 --costs 0.1 10',
    'VOC07 -> the 16-image folder as a 2-class SVM list, 32 px')
CPU_GPUS = Rewrite(r'\bGPUS=8\b', 'GPUS=0', 'GPUS=8 -> GPUS=0: one CPU '
                   'process')


def page_variables(block):
    """NAME=VALUE of the first block, in order."""
    out = {}
    for cmd in shell_commands(block.text):
        m = re.fullmatch(r'([A-Z_]+)=(\S+)', cmd)
        assert m, f'{block.where()}: not a plain assignment: {cmd!r}'
        out[m.group(1)] = m.group(2)
    return out


def variable_rewrites(variables):
    rewrites = []
    for name, value in variables.items():
        tiny, why = TINY_VARS.get(name, (value, f'{name} as on the page'))
        rewrites.append(Rewrite(r'\$(\{%s\}|%s\b)' % (name, name),
                                lambda _, v=tiny: v, f'${name} -> {tiny} '
                                f'({why})'))
    return rewrites


def fabricate_0x_checkpoint(new_cfg, path):
    """An MMSelfSup 0.x ODC checkpoint for the model of ``new_cfg``:
    random weights, 0.x key names, no memory, mmcv-1 layout. Returns our
    state dict of the same weights."""
    from mmpretrain.registry import MODELS
    init_default_scope('mmpretrain')
    cfg = Config.fromfile(new_cfg)
    model = randomize(MODELS.build(cfg.model), seed=0)
    ours = model.state_dict()
    save_reference(path, '0.x', reference_state('odc', '0.x', ours))
    return ours


@pytest.fixture(scope='module')
def walked(tmp_path_factory):
    import shutil
    assert shutil.which('mim', path=sandbox_env()['PATH']), (
        'the documented commands need openmim: pip install -e ".[mim]"')
    root = make_sandbox(str(tmp_path_factory.mktemp('from_mmselfsup')))
    write_tiny_folder(root)
    with open(osp.join(root, KNN_DATA), 'w') as f:
        f.write(KNN_DATA_TEXT)
    with open(osp.join(root, LINEAR), 'w') as f:
        f.write(LINEAR_TEXT.format(base=osp.join(
            REPO_ROOT, 'configs/benchmarks/classification/imagenet/'
            'resnet50_linear-8xb32-steplr-100e_in1k.py')))
    link = osp.join(root, 'tests')
    if not osp.lexists(link):
        import os
        os.symlink(osp.join(REPO_ROOT, 'tests'), link)
    blocks = {b.marker: b for b in blocks_for(TEST_ID)}
    assert len(blocks) == 6, sorted(blocks)
    variables = page_variables(blocks['from-mmselfsup-vars'])
    assert set(TINY_VARS) <= set(variables), sorted(variables)
    for name in ('KNN_DATA', 'LINEAR'):   # the page's configs are ours
        assert osp.isfile(osp.join(REPO_ROOT, variables[name])), name
    rewrites = [SVM_DATA, DROP_GPUS, CPU_GPUS] + variable_rewrites(variables)
    run_block(blocks['from-mmselfsup-vars'], root)   # plain assignments
    run_block(blocks['from-mmselfsup-migrate'], root, rewrites)
    new = osp.join(root, variables['NEW'])
    ours = fabricate_0x_checkpoint(new, osp.join(root, CKPT))
    for name in ('continue', 'knn', 'linear', 'svm'):
        run_block(blocks['from-mmselfsup-' + name], root, rewrites,
                  timeout=600)
    return dict(root=root, vars=variables, ours=ours)


def test_documented_walkthrough_runs(walked):
    """Every block ran; each benchmark wrote its result file."""
    root, run_dir = walked['root'], walked['vars']['RUN_DIR']
    knn = json.load(open(osp.join(root, run_dir, 'knn.json')))
    assert knn['num_train'] == knn['num_test'] == NUM_IMAGES
    result, = knn['results'].values()   # the continued run's checkpoint
    assert 0 <= result['k3_top1'] <= 100, knn
    svm = json.load(open(osp.join(root, run_dir, 'svm',
                                  'svm_voc07_results.json')))
    assert 0 < svm['features']['feat5']['mAP'] <= 100
    scalars = glob.glob(osp.join(root, 'work_dirs', 'benchmarks',
                                 'classification', 'tiny_linear', '*', '*',
                                 'vis_data', 'scalars.json'))
    assert scalars, 'the linear probe wrote no scalars'
    lines = [json.loads(line) for line in open(scalars[0])]
    top1 = [line['accuracy/top1'] for line in lines
            if 'accuracy/top1' in line]
    assert top1 and 0 <= top1[-1] <= 100, lines


def _continued(walked):
    root, run_dir = walked['root'], walked['vars']['RUN_DIR']
    with open(osp.join(root, run_dir, 'last_checkpoint')) as f:
        path = f.read().strip()
    return load_checkpoint_file(osp.join(root, path))['state_dict']


def test_backbone_comes_from_the_0x_checkpoint(walked):
    """BN batch counters continue from the checkpoint's (a fresh model would
    count from 0), and every backbone weight is still close to the loaded
    one after the few training steps (a fresh init is not)."""
    ours, state = walked['ours'], _continued(walked)
    counters = {k: int(v) for k, v in state.items()
                if k.startswith('backbone.') and
                k.endswith('num_batches_tracked')}
    assert counters
    steps = set(c - BATCHES_BEFORE for c in counters.values())
    assert len(steps) == 1 and 0 < steps.pop() <= 4, counters
    for name, loaded in ours.items():
        if not name.startswith('backbone.') or \
                not loaded.is_floating_point() or 'running_' in name:
            continue   # (BN statistics follow the new data quickly)
        moved = (state[name] - loaded).norm() / loaded.norm()
        assert moved < 0.2, f'{name}: moved {moved:.3f} from the checkpoint'


def test_odc_memory_was_rebuilt(walked):
    """The 0.x checkpoint has no memory: flagged in the log, then rebuilt
    from the training set (initialised, one label per image)."""
    state = _continued(walked)
    assert bool(state['memory_bank.initialized'])
    assert state['memory_bank.label_bank'].shape == (NUM_IMAGES, )
    assert state['memory_bank.feature_bank'].shape[0] == NUM_IMAGES
    norms = state['memory_bank.feature_bank'].norm(dim=1)
    assert torch.allclose(norms, torch.ones_like(norms), atol=1e-4)
    root, run_dir = walked['root'], walked['vars']['RUN_DIR']
    logs = ''.join(open(f).read() for f in glob.glob(
        osp.join(root, run_dir, '*', '*.log')))
    assert 'marked uninitialised' in logs


def test_resume_of_the_0x_checkpoint_is_refused(walked):
    """What the page says about `--resume $CKPT`: refused before the first
    iteration, naming load_from with resume=False."""
    import subprocess
    root, new = walked['root'], walked['vars']['NEW']
    proc = subprocess.run(
        ['mim', 'train', 'mmpretrain', new, '--work-dir', 'work_dirs/resumed',
         '--resume', CKPT], cwd=root, env=sandbox_env(), capture_output=True,
        text=True, timeout=600)
    assert proc.returncode != 0
    assert 'load_from=<checkpoint> with resume=False' in proc.stderr, \
        proc.stderr[-3000:]
    assert not glob.glob(osp.join(root, 'work_dirs', 'resumed', '*.pth'))
