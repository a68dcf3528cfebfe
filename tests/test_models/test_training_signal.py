"""Every algorithm's CPU-sized recipe starts at the loss its definition
predicts for an untrained model and learns: the loss falls over a few steps
on one fixed batch.

Expected initial losses (cross-entropy ``-log softmax(logits)[target]``):

* classifiers of K known classes whose last layer starts near zero
  (RotationPred: 4 rotations, RelativeLoc: 8 positions, DeepCluster and ODC:
  ``num_clusters`` pseudo-labels; heads initialised normal(std <= 0.01)):
  every logit ~ 0, so the loss is ``log(K)``;
* NPID: ``1 + neg_num`` logits ``v . f / T`` where ``f`` is the
  L2-normalised feature and ``v`` the memory rows, random unit vectors before
  training (the positive row too): each cosine has mean 0 and variance
  ``1/d`` (``d = feat_dim``), so ``E[logsumexp] = log(1 + neg_num) +
  1 / (2 T^2 d)`` (log-normal mean, ``neg_num`` large) and the positive's
  mean is 0;
* SimCLR: each of the ``2N`` views against the other ``2N - 1``
  (``2N - 2`` negatives and its positive); an untrained network maps all
  views to nearly the same direction, so all logits are about equal and the
  loss is ``log(2N - 1)``, a little less because the two views of an image
  start slightly closer than two images (measured: 3.25 for
  ``log(31) = 3.43``).
"""
import math

import numpy as np
import pytest
import torch
from mmengine.registry import init_default_scope
from mmengine.runner import Runner
from mmpretrain.registry import MODELS

import mmssl_ext  # noqa: F401
from tests.helpers import DEMO_CONFIG, tiny_cfg
from tests.test_engine._clustering_cfg import DC_CFG, ODC_CFG

BATCH = 16
NUM_CLUSTERS = 10
NEG_NUM = 1024

CONFIGS = dict(
    rotation_pred='configs/rotation_pred/rotation-pred_resnet18-cifar-w16_'
    '1xb64-steplr-2e_fashion-mnist.py',
    relative_loc='configs/relative_loc/relative-loc_resnet18-cifar-w16_'
    '1xb32-steplr-2e_fashion-mnist-96px.py',
    deepcluster=DC_CFG,
    odc=ODC_CFG,
    npid='configs/npid/npid_resnet18-cifar-w16_1xb64-steplr-2e_'
    'fashion-mnist.py',
    simclr=DEMO_CONFIG,
)


def expected_initial_loss(algo: str, cfg) -> float:
    model = cfg.model
    if algo == 'rotation_pred':
        assert model.head.num_classes == 4
        return math.log(4)
    if algo == 'relative_loc':
        assert model.head.num_classes == 8
        return math.log(8)
    if algo in ('deepcluster', 'odc'):
        return math.log(model.head.num_classes)
    if algo == 'npid':
        temp, dim = model.head.temperature, model.memory_bank.feat_dim
        return math.log(1 + model.neg_num) + 1 / (2 * temp**2 * dim)
    assert algo == 'simclr'
    return math.log(2 * BATCH - 1)


def _setup(algo: str, data_root: str, work_dir: str):
    """The recipe's model (narrower where the config allows) and one batch
    of its training pipeline."""
    # NPID's positive logit is as random as a negative one (std 1 / (T
    # sqrt(d)) = 1.26 per sample): the whole 256-image set keeps the batch
    # mean within ~0.08 of its expectation
    batch_size = dict(relative_loc=4, npid=256).get(algo, BATCH)
    cfg = tiny_cfg(CONFIGS[algo], data_root, work_dir, batch_size=batch_size)
    model = cfg.model
    if algo in ('deepcluster', 'odc'):
        model.head.num_classes = NUM_CLUSTERS
    if algo == 'odc':
        model.memory_bank.update(length=256, num_classes=NUM_CLUSTERS)
    if algo == 'npid':
        model.neg_num = NEG_NUM
        model.memory_bank.length = 256
    init_default_scope('mmpretrain')
    torch.manual_seed(0)
    np.random.seed(0)
    net = MODELS.build(model)
    net.init_weights()
    loader = Runner.build_dataloader(cfg.train_dataloader, seed=0)
    if algo == 'deepcluster':
        loader.dataset.assign_labels(
            np.arange(len(loader.dataset)) % NUM_CLUSTERS)
    if algo == 'odc':
        rng = np.random.default_rng(0)
        feats = rng.standard_normal((256, model.memory_bank.feat_dim))
        feats /= np.linalg.norm(feats, axis=1, keepdims=True)
        net.memory_bank.init_memory(feats.astype(np.float32),
                                    np.arange(256) % NUM_CLUSTERS)
    batch = next(iter(loader))
    return cfg, net, batch


def _loss(net, batch) -> torch.Tensor:
    data = net.data_preprocessor(batch, True)
    return net.loss(data['inputs'], data['data_samples'])['loss']


@pytest.mark.parametrize('algo', sorted(CONFIGS))
def test_initial_loss_and_learning_on_a_fixed_batch(algo, fmnist_tiny,
                                                    tmp_path):
    cfg, net, batch = _setup(algo, fmnist_tiny, str(tmp_path))
    net.train()
    optimizer = torch.optim.Adam(net.parameters(), lr=2e-3)
    losses = []
    for _ in range(8):
        loss = _loss(net, batch)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    expected = expected_initial_loss(algo, cfg)
    if algo == 'simclr':
        # the two views of an image already start a little closer than two
        # images: at most log(2N - 1), not far below
        assert expected - 0.3 < losses[0] < expected + 0.02, losses
    else:
        assert losses[0] == pytest.approx(expected, rel=0.05), (algo, losses)
    # the same batch again and again: the loss falls
    assert losses[-1] < 0.95 * losses[0], (algo, losses)
