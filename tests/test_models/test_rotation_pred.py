"""RotationPred: preprocessor order, head loss vs NumPy, configs, training."""
import math

import numpy as np
import pytest
import torch
from mmengine.runner import Runner
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

import mmssl_ext  # noqa: F401
from tests.helpers import tiny_cfg

DIR = 'configs/rotation_pred/'
FMNIST_CFG = (DIR + 'rotation-pred_resnet18-cifar-w16_1xb64-steplr-2e_'
              'fashion-mnist.py')


def _np_cross_entropy(logits, labels):
    logits = logits - logits.max(axis=1, keepdims=True)
    logp = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    return float(-logp[np.arange(len(labels)), labels].mean())


def test_head_loss_matches_numpy_reference():
    head = MODELS.build(dict(type='PretextClsHead', in_channels=6,
                             num_classes=4))
    head.init_weights()
    feats = torch.randn(12, 6, 3, 3)
    labels = torch.randint(0, 4, (12, ))
    out = head.loss((feats, ), labels)
    pooled = feats.mean(dim=(2, 3)).numpy().astype(np.float64)
    logits = pooled @ head.fc.weight.detach().numpy().T.astype(
        np.float64) + head.fc.bias.detach().numpy()
    assert out['loss'].item() == pytest.approx(
        _np_cross_entropy(logits, labels.numpy()), rel=1e-5)
    acc = (logits.argmax(1) == labels.numpy()).mean() * 100
    assert out['acc'].item() == pytest.approx(acc)
    with pytest.raises(ValueError, match='labels'):
        head.loss(feats, labels[:5])


def test_preprocessor_stacks_views_sample_major():
    pre = MODELS.build(dict(type='RotationPredDataPreprocessor',
                            mean=[0.] * 3, std=[1.] * 3))
    views = [torch.full((2, 3, 4, 4), float(10 * v)) for v in range(4)]
    for n in range(2):
        for v in range(4):
            views[v][n] += n
    out = pre(dict(inputs=views, data_samples=None))
    x = out['inputs']
    assert x.shape == (8, 3, 4, 4)
    assert x[:, 0, 0, 0].tolist() == [0, 10, 20, 30, 1, 11, 21, 31]
    with pytest.raises(TypeError, match='RotationViews'):
        pre(dict(inputs=torch.zeros(2, 3, 4, 4), data_samples=None))


def test_model_loss_and_wrong_preprocessor():
    model = MODELS.build(dict(
        type='RotationPred',
        backbone=dict(type='ResNet_CIFAR', depth=18, stem_channels=8,
                      base_channels=8),
        head=dict(type='PretextClsHead', in_channels=64, num_classes=4)))
    samples = [DataSample(rot_label=np.arange(4)) for _ in range(2)]
    losses = model.loss(torch.randn(8, 3, 16, 16), samples)
    assert losses['loss'].requires_grad and 'acc' in losses
    with pytest.raises(TypeError, match='RotationPredDataPreprocessor'):
        model.loss([torch.randn(2, 3, 16, 16)] * 4, samples)


def test_tiny_end_to_end_train(fmnist_tiny, tmp_path):
    cfg = tiny_cfg(FMNIST_CFG, fmnist_tiny, str(tmp_path), max_iters=2)
    runner = Runner.from_cfg(cfg)
    runner.train()
    # 4 rotations, a head that starts near zero: the loss of the first
    # iterations is close to log(4) (tests/test_models/test_training_signal.py
    # checks the start exactly and that it falls)
    loss = runner.message_hub.get_scalar('train/loss').current()
    assert loss == pytest.approx(math.log(4), abs=0.25)
