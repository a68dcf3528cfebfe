"""count_parameters.py, visualize_tsne.py (with an extracted backbone) and
npid_bank_alignment.py."""
import os
import os.path as osp

import numpy as np
import pytest
import torch

from tests.helpers import REPO_ROOT, TINY_CLASSIFIER_CFG
from tests.test_tools._load_tool import load_tool

count_tool = load_tool('analysis_tools/count_parameters.py')
tsne_tool = load_tool('analysis_tools/visualize_tsne.py')

CFG = os.path.join(REPO_ROOT, 'configs', 'benchmarks', 'classification',
                   'fashion_mnist',
                   'resnet18-w8_mhead_1xb64-steplr-2e_fashion-mnist.py')


def test_count_parameters_frozen_backbone():
    rows = {r['name']: r for r in count_tool.main([CFG])}
    from mmssl_ext.models.backbones import ResNetFeats
    ref = ResNetFeats(depth=18, stem_channels=8, base_channels=8)
    n_backbone = sum(p.numel() for p in ref.parameters())
    assert rows['backbone']['total'] == n_backbone
    assert rows['backbone']['trainable'] == 0          # frozen_stages=4
    # head: 5 linear layers (128/128/64/128/64 -> 10), BN without affine
    assert rows['head']['trainable'] == (128 + 128 + 64 + 128 + 64) * 10 + 50
    assert rows['(total)']['total'] == sum(
        r['total'] for n, r in rows.items() if n != '(total)')


def _extracted_backbone(tmp_path, strip):
    from mmpretrain.models.backbones import ResNet
    net = ResNet(depth=18, stem_channels=8, base_channels=8)
    prefix = '' if strip else 'backbone.'
    path = tmp_path / 'backbone.pth'
    torch.save({'state_dict': {prefix + k: v
                               for k, v in net.state_dict().items()}}, path)
    return str(path)


def test_prefixed_and_stripped_files_load_the_same(tmp_path):
    (tmp_path / 'a').mkdir()
    (tmp_path / 'b').mkdir()
    a = tsne_tool.load_backbone_state(_extracted_backbone(tmp_path / 'a',
                                                          False))
    b = tsne_tool.load_backbone_state(_extracted_backbone(tmp_path / 'b',
                                                          True))
    assert a.keys() == b.keys() and 'conv1.weight' in a


def test_tsne_from_extracted_backbone(fmnist_tiny, tmp_path):
    ckpt = _extracted_backbone(tmp_path, False)
    out = tmp_path / 'tsne'
    written = tsne_tool.main([
        CFG, '--checkpoint', ckpt, '--data-root', fmnist_tiny, '--ann-file',
        'meta/test.txt', '--features', 'feat1', 'feat5', '--max-samples',
        '60', '--img-size', '32', '--max-iter', '250', '--out-dir', str(out)])
    assert set(written) == {'feat1', 'feat5'}
    data = np.load(out / 'tsne_feat5.npz')
    assert data['embedding'].shape == (60, 2)
    assert os.path.getsize(written['feat1']) > 1000


def test_tsne_bad_inputs(tmp_path):
    bad = tmp_path / 'head.pth'
    torch.save({'state_dict': {'head.fc.weight': torch.zeros(1)}}, bad)
    with pytest.raises(ValueError, match='no "backbone." keys'):
        tsne_tool.load_backbone_state(str(bad))
    with pytest.raises(ValueError, match='feat9'):
        tsne_tool.main([CFG, '--checkpoint', _extracted_backbone(
            tmp_path, False), '--data-root', str(tmp_path), '--ann-file',
            'x.txt', '--features', 'feat9'])


def test_npid_bank_alignment(fmnist_tiny, tmp_path):
    """A fresh (random) bank: the positive row is no better than a random
    one. A bank whose rows are all the same unit vector: positive and
    negative cosines are identical."""
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    from mmpretrain.registry import MODELS
    tool = load_tool('analysis_tools/npid_bank_alignment.py')
    cfg_path = osp.join(REPO_ROOT, 'configs', 'npid',
                        'npid_resnet18-cifar-w16_1xb64-steplr-2e_'
                        'fashion-mnist.py')
    init_default_scope('mmpretrain')
    cfg = Config.fromfile(cfg_path)
    cfg.model.memory_bank.length = 256
    model = MODELS.build(cfg.model)
    args = ['--num-samples', '16', '--num-negatives', '64', '--cfg-options',
            f'train_dataloader.dataset.data_root={fmnist_tiny}',
            'model.memory_bank.length=256']
    fresh_ckpt = tmp_path / 'fresh.pth'
    torch.save({'state_dict': model.state_dict()}, fresh_ckpt)
    fresh = tool.main([cfg_path, str(fresh_ckpt)] + args)
    assert fresh['samples'] == 16
    assert abs(fresh['positive']) < 0.3 and abs(fresh['negative']) < 0.3
    assert fresh['best_negative'] > fresh['positive']

    state = model.state_dict()
    row = torch.nn.functional.normalize(torch.randn(128), dim=0)
    state['memory_bank.feature_bank'][:] = row
    same_ckpt = tmp_path / 'same.pth'
    torch.save({'state_dict': state}, same_ckpt)
    same = tool.main([cfg_path, str(same_ckpt)] + args)
    assert same['positive'] == pytest.approx(same['negative'], abs=1e-6)
    assert same['best_negative'] == pytest.approx(same['negative'], abs=1e-6)

    simclr = osp.join(REPO_ROOT, 'configs', 'simclr',
                      'simclr_resnet18-cifar-w16_1xb256-adamw-coslr-300i_'
                      'fashion-mnist.py')
    with pytest.raises(SystemExit, match='no memory_bank'):
        tool.main([simclr, str(fresh_ckpt)])


TSNE_CFG = TINY_CLASSIFIER_CFG + """extract_dataloader = dict(
    batch_size=32, num_workers=0,
    dataset=dict(type='CustomDataset', data_root='{root}',
                 ann_file='meta/test.txt',
                 pipeline=[dict(type='LoadImageFromFile'),
                           dict(type='PackInputs')]),
    sampler=dict(type='DefaultSampler', shuffle=False))
"""


def test_tsne_mmselfsup_command_line(fmnist_tiny, tmp_path):
    """MMSelfSup's manual: CONFIG --checkpoint CKPT --work-dir DIR
    [--layer-ind ...]; the data come from the config's extract_dataloader,
    a ResNet_CIFAR backbone gives every level (ResNetFeats_CIFAR)."""
    from mmpretrain.models.backbones import ResNet_CIFAR
    cfg = tmp_path / 'tsne_cfg.py'
    cfg.write_text(TSNE_CFG.format(root=fmnist_tiny))
    net = ResNet_CIFAR(depth=18, stem_channels=8, base_channels=8)
    ckpt = tmp_path / 'epoch_1.pth'
    torch.save({'state_dict': {'backbone.' + k: v
                               for k, v in net.state_dict().items()}}, ckpt)
    work_dir = tmp_path / 'wd'
    written = tsne_tool.main([
        str(cfg), '--checkpoint', str(ckpt), '--work-dir', str(work_dir),
        '--layer-ind', '0,4', '--n-iter', '250', '--max-num-class', '5'])
    assert set(written) == {'feat1', 'feat5'}
    (run, ) = os.listdir(work_dir)
    assert run.startswith('tsne_')
    data = np.load(work_dir / run / 'tsne_feat1.npz')
    labels = np.array([int(line.split()[1]) for line in open(
        osp.join(fmnist_tiny, 'meta', 'test.txt')) if line.strip()])
    assert data['embedding'].shape == ((labels < 5).sum(), 2)
    assert data['labels'].max() < 5
    assert os.path.getsize(written['feat5']) > 1000
    # MMSelfSup 1.x's --vis-stage neck
    neck = tsne_tool.main([str(cfg), '--checkpoint', str(ckpt), '--out-dir',
                           str(tmp_path / 'neck'), '--vis-stage', 'neck',
                           '--n-iter', '250'])
    assert set(neck) == {'neck'}
    with pytest.raises(ValueError, match='--layer-ind'):
        tsne_tool.main([str(cfg), '--layer-ind', '0,7'])
