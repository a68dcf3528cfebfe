"""RelativeLoc: pair formation, neck fusion, configs, training."""
import math

import numpy as np
import pytest
import torch
from mmengine.runner import Runner
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

import mmssl_ext  # noqa: F401
from tests.helpers import tiny_cfg

DIR = 'configs/relative_loc/'
FMNIST_CFG = (DIR + 'relative-loc_resnet18-cifar-w16_1xb32-steplr-2e_'
              'fashion-mnist-96px.py')


def test_preprocessor_forms_8n_pairs():
    pre = MODELS.build(dict(type='RelativeLocDataPreprocessor',
                            mean=[0.] * 3, std=[1.] * 3))
    # patch k of sample n has value 100 * n + k (k = 0 is the centre)
    patches = [torch.stack([torch.full((3, 2, 2), 100. * n + k)
                            for n in range(2)]) for k in range(9)]
    centres, neighbours = pre(dict(inputs=patches,
                                   data_samples=None))['inputs']
    assert centres.shape == neighbours.shape == (16, 3, 2, 2)
    assert centres[:, 0, 0, 0].tolist() == [0.] * 8 + [100.] * 8
    assert neighbours[:, 0, 0, 0].tolist() == (
        [float(k) for k in range(1, 9)] + [100. + k for k in range(1, 9)])
    with pytest.raises(TypeError, match='RelativeLocPatches'):
        pre(dict(inputs=patches[:4], data_samples=None))


def test_neck_concatenates_centre_and_neighbour():
    neck = MODELS.build(dict(type='RelativeLocNeck', in_channels=3,
                             out_channels=5, dropout=0.))
    neck.eval()
    x = torch.randn(8, 3, 2, 2)  # 4 neighbours, then 4 centres
    out, = neck((x, ))
    pooled = x.mean(dim=(2, 3))
    fused = torch.cat([pooled[:4], pooled[4:]], dim=1)
    expected = torch.relu(neck.norm(neck.fc(fused)))
    torch.testing.assert_close(out, expected)
    with pytest.raises(ValueError, match='even batch'):
        neck(torch.randn(3, 3))


def test_loss_as_reference_two_backbone_passes_neighbour_first():
    # MMSelfSup: x1 = backbone(neighbours), x2 = backbone(centres), each in
    # its own pass (own train-mode BN statistics); neck on cat((x1, x2))
    torch.manual_seed(0)
    model = MODELS.build(dict(
        type='RelativeLoc',
        backbone=dict(type='ResNet_CIFAR', depth=18, stem_channels=8,
                      base_channels=8),
        neck=dict(type='RelativeLocNeck', in_channels=64, out_channels=32,
                  dropout=0.),
        head=dict(type='PretextClsHead', in_channels=32, num_classes=8,
                  with_avg_pool=False)))
    model.train()
    samples = [DataSample(patch_label=np.arange(8)) for _ in range(2)]
    centres = torch.randn(2, 3, 8, 8).repeat_interleave(8, 0)
    neighbours = torch.randn(16, 3, 8, 8)
    loss = model.loss([centres, neighbours], samples)['loss']
    with torch.no_grad():
        x1 = model.backbone(neighbours)[-1].mean(dim=(2, 3))
        x2 = model.backbone(centres)[-1].mean(dim=(2, 3))
        h = model.neck.fc(torch.cat([x1, x2], dim=1))
        h = (h - h.mean(0)) / torch.sqrt(h.var(0, unbiased=False) + 1e-5)
        h = torch.relu(h * model.neck.norm.weight + model.neck.norm.bias)
        logits = model.head.fc(h)
    ref = torch.nn.functional.cross_entropy(logits, torch.arange(8).repeat(2))
    assert float(loss) == pytest.approx(float(ref), rel=1e-5)


def test_model_loss_and_wrong_preprocessor():
    model = MODELS.build(dict(
        type='RelativeLoc',
        backbone=dict(type='ResNet_CIFAR', depth=18, stem_channels=8,
                      base_channels=8),
        neck=dict(type='RelativeLocNeck', in_channels=64, out_channels=32),
        head=dict(type='PretextClsHead', in_channels=32, num_classes=8,
                  with_avg_pool=False)))
    samples = [DataSample(patch_label=np.arange(8)) for _ in range(2)]
    centres, neighbours = torch.randn(16, 3, 8, 8), torch.randn(16, 3, 8, 8)
    losses = model.loss([centres, neighbours], samples)
    assert losses['loss'].requires_grad
    with pytest.raises(TypeError, match='RelativeLocDataPreprocessor'):
        model.loss(torch.randn(16, 3, 8, 8), samples)


def test_tiny_end_to_end_train(fmnist_tiny, tmp_path):
    cfg = tiny_cfg(FMNIST_CFG, fmnist_tiny, str(tmp_path), max_iters=2,
                   batch_size=4)
    runner = Runner.from_cfg(cfg)
    runner.train()
    # 8 positions, a head that starts near zero: the loss of the first
    # iterations is close to log(8) (tests/test_models/test_training_signal.py
    # checks the start exactly and that it falls)
    loss = runner.message_hub.get_scalar('train/loss').current()
    assert loss == pytest.approx(math.log(8), abs=0.3)
