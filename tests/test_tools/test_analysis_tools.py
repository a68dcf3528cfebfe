"""count_parameters.py and visualize_tsne.py (with an extracted backbone)."""
import os

import numpy as np
import pytest
import torch

from tests.helpers import REPO_ROOT
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
