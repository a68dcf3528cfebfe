"""benchmarks/classification/svm_voc07/svm_voc07.py end to end on a tiny
multi-label list (Fashion-MNIST as one-hot), 1 process and 2 processes
(sharded extraction must give the same features and AP)."""
import json
import os
import os.path as osp

import pytest
import torch

from tests.helpers import REPO_ROOT, run_distributed
from tests.test_tools._load_tool import load_tool

SCRIPT = osp.join(REPO_ROOT, 'benchmarks', 'classification', 'svm_voc07',
                  'svm_voc07.py')
CFG_TEXT = """default_scope = 'mmpretrain'
model = dict(
    type='SimCLR',
    backbone=dict(type='ResNet', depth=18, stem_channels=8, base_channels=8),
    data_preprocessor=dict(type='SelfSupDataPreprocessor',
                           mean=[72.9] * 3, std=[90.0] * 3))
"""


def _setup(fmnist_tiny, tmp_path, n_train=60, n_test=40):
    from mmpretrain.models.backbones import ResNet
    cfg = tmp_path / 'cfg.py'
    cfg.write_text(CFG_TEXT)
    net = ResNet(depth=18, stem_channels=8, base_channels=8)
    ckpt = tmp_path / 'backbone.pth'
    torch.save({'state_dict': {'backbone.' + k: v
                               for k, v in net.state_dict().items()}}, ckpt)
    lists = {}
    for split, n in (('train', n_train), ('test', n_test)):
        with open(osp.join(fmnist_tiny, 'meta', f'{split}.txt')) as f:
            lines = f.read().split('\n')[:n]
        # labels 0..9 -> multi-label "path c"; mark one test image difficult
        out = tmp_path / f'{split}_ml.txt'
        rows = [ln.rsplit(' ', 1) for ln in lines]
        text = [f'{p} {c}' for p, c in rows]
        if split == 'test':
            text[0] += ' d' + str((int(rows[0][1]) + 1) % 10)
        out.write_text('\n'.join(text) + '\n')
        lists[split] = str(out)
    args = [str(cfg), '--checkpoint', str(ckpt), '--features', 'feat1',
            'feat5', '--train-ann', lists['train'], '--test-ann',
            lists['test'], '--data-root', fmnist_tiny, '--num-classes', '10',
            '--img-size', '32', '--pool-sizes', '2', '2', '2', '2', '1',
            '--costs', '0.1', '10', '--batch-size', '16']
    return args


def test_single_process_with_low_shot(fmnist_tiny, tmp_path):
    tool = load_tool('../benchmarks/classification/svm_voc07/svm_voc07.py')
    args = _setup(fmnist_tiny, tmp_path)
    res = tool.main(args + ['--low-shot', '--low-shot-ks', '1', '2',
                            '--low-shot-samples', '2', '--work-dir',
                            str(tmp_path / 'wd')])
    feats = res['features']
    assert feats['feat1']['dim'] == 8 * 2 * 2
    assert feats['feat5']['dim'] == 64
    for entry in feats.values():
        assert len(entry['ap']) == 10 and 0 < entry['mAP'] <= 100
        assert set(entry['cost']) <= {0.1, 10.0}
        assert [r['k'] for r in entry['low_shot']] == [1, 2]
    saved = json.load(open(tmp_path / 'wd' / 'svm_voc07_results.json'))
    assert saved['features']['feat5']['mAP'] == feats['feat5']['mAP']


def test_bad_feature_and_checkpoint(fmnist_tiny, tmp_path):
    tool = load_tool('../benchmarks/classification/svm_voc07/svm_voc07.py')
    args = _setup(fmnist_tiny, tmp_path, 12, 12)
    bad = list(args)
    bad[bad.index('feat1')] = 'res4'
    with pytest.raises(ValueError,
                       match=r"Unknown feature layer\(s\) \['res4'\]"):
        tool.main(bad)
    wrong = tmp_path / 'wrong.pth'
    torch.save({'state_dict': {'backbone.conv1.weight': torch.zeros(1)}},
               wrong)
    bad = list(args)
    bad[bad.index('--checkpoint') + 1] = str(wrong)
    with pytest.raises(Exception, match='backbone tensors|size mismatch'):
        tool.main(bad)


def test_two_processes_match_one(fmnist_tiny, tmp_path):
    args = _setup(fmnist_tiny, tmp_path, 60, 20)
    tool = load_tool('../benchmarks/classification/svm_voc07/svm_voc07.py')
    single = tool.main(args)
    run_distributed(SCRIPT, args + ['--work-dir', str(tmp_path / 'dist')],
                    nproc=2, env={'MMSSL_TEST': '1'})
    dist = json.load(open(tmp_path / 'dist' / 'svm_voc07_results.json'))
    for f in ('feat1', 'feat5'):
        assert dist['features'][f]['ap'] == pytest.approx(
            single['features'][f]['ap'], abs=1e-3)


def test_cifar_stem_backbone_gives_all_layers(fmnist_tiny, tmp_path):
    """A ResNet_CIFAR pretraining config (the demo's) runs with
    ResNetFeats_CIFAR: feat1 keeps the full 32 px resolution."""
    from mmpretrain.models.backbones import ResNet_CIFAR
    tool = load_tool('../benchmarks/classification/svm_voc07/svm_voc07.py')
    args = _setup(fmnist_tiny, tmp_path, 60, 20)
    (tmp_path / 'cfg.py').write_text(
        CFG_TEXT.replace("type='ResNet'", "type='ResNet_CIFAR'"))
    net = ResNet_CIFAR(depth=18, stem_channels=8, base_channels=8)
    torch.save({'state_dict': {'backbone.' + k: v
                               for k, v in net.state_dict().items()}},
               tmp_path / 'backbone.pth')
    args[args.index('--pool-sizes') + 1:args.index('--costs')] = [
        '32', '2', '2', '2', '4']
    feats = tool.main(args)['features']
    # adaptive pooling to 32 keeps feat1 (8 x 32 x 32) unpooled
    assert feats['feat1']['dim'] == 8 * 32 * 32
    assert feats['feat5']['dim'] == 64 * 4 * 4  # CIFAR feat5 is 4 x 4
