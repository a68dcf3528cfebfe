"""benchmarks/classification/svm_voc07/svm_voc07.py end to end on a tiny
multi-label list (Fashion-MNIST as one-hot), 1 process and 2 processes
(sharded extraction must give the same features and AP)."""
import json
import os
import os.path as osp

import numpy as np
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
            '--img-size', '32', '--pool-type', 'adaptive',
            '--pool-sizes', '2', '2', '2', '2', '1',
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


def test_feature_pipeline_is_the_reference_one(tmp_path):
    """MMSelfSup's svm_voc07.py extraction pipeline is torchvision's
    Resize(256) then Resize((224, 224)) on a PIL RGB image: sizes after each
    step on a non-square image, and the pixels of the last step."""
    from mmcv.transforms import Compose
    from mmpretrain.registry import TRANSFORMS
    from PIL import Image
    tv = pytest.importorskip('torchvision.transforms')
    tool = load_tool('../benchmarks/classification/svm_voc07/svm_voc07.py')
    rng = np.random.default_rng(0)
    rgb = rng.integers(0, 256, (300, 500, 3), dtype=np.uint8)  # h=300, w=500
    path = tmp_path / 'img.png'
    Image.fromarray(rgb).save(path)
    steps = [TRANSFORMS.build(c) for c in tool.pipeline_cfgs(224)]
    results = dict(img_path=str(path))
    sizes = []
    for step in steps[:-1]:
        results = step(results)
        sizes.append(results['img'].shape[:2])
    # short side 300 -> 256, long side int(256 * 500 / 300) = 426
    assert sizes == [(300, 500), (256, 426), (224, 224)]
    pil = Image.open(path).convert('RGB')
    ref = tv.Resize((224, 224))(tv.Resize(256)(pil))
    assert tv.Resize(256)(pil).size == (426, 256)
    np.testing.assert_array_equal(results['img'][..., ::-1], np.asarray(ref))
    packed = Compose(steps)(dict(img_path=str(path)))
    assert tuple(packed['inputs'].shape) == (3, 224, 224)


def test_reference_low_shot_files(fmnist_tiny, tmp_path):
    """--low-shot-dir trains on the reference's sample files; a file that
    does not fit the training list is refused before extraction."""
    tool = load_tool('../benchmarks/classification/svm_voc07/svm_voc07.py')
    args = _setup(fmnist_tiny, tmp_path, 60, 20)
    args.remove('feat1')
    from mmssl_ext.evaluation.functional import read_multilabel_file
    _, labels = read_multilabel_file(args[args.index('--train-ann') + 1],
                                     num_classes=10)
    folder = tmp_path / 'low_shot'
    folder.mkdir()
    rng = np.random.default_rng(0)
    for s in (1, 2):
        out = -np.ones(labels.shape, np.int32)
        for c in range(10):
            for symbol, num in ((1, 1), (0, 9)):
                rows = np.nonzero(labels[:, c] == symbol)[0]
                out[rng.choice(rows, num, replace=False), c] = symbol
        np.save(folder / f'train_targets_sample{s}_k1.npy', out)
    common = ['--low-shot', '--low-shot-ks', '1', '--low-shot-samples', '2',
              '--low-shot-dir', str(folder)]
    res = tool.main(args + common)
    assert [r['k'] for r in res['features']['feat5']['low_shot']] == [1]
    np.save(folder / 'train_targets_sample2_k1.npy', out[::-1])
    with pytest.raises(ValueError, match='row order'):
        tool.main(args + common)
    with pytest.raises(ValueError, match='--max-train'):
        tool.main(args + common + ['--max-train', '30'])
