"""extract_features with the pretext-task models: RotationPred and
RelativeLoc preprocessors build multi-view batches for training, but kNN (tool
and hook) feeds single images; those must be normalised like a plain
SelfSupDataPreprocessor with the same mean/std."""
import os.path as osp

import pytest
import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmpretrain.registry import MODELS

import mmssl_ext  # noqa: F401
from mmssl_ext.evaluation import feature_extractor as fe
from tests.helpers import REPO_ROOT

CONFIGS = [
    'configs/rotation_pred/rotation-pred_resnet18-cifar-w16_1xb64-steplr-2e_'
    'fashion-mnist.py',
    'configs/relative_loc/relative-loc_resnet18-cifar-w16_1xb32-steplr-2e_'
    'fashion-mnist-96px.py',
]


@pytest.mark.parametrize('path', CONFIGS, ids=lambda p: osp.basename(p))
def test_pretext_models_extract_single_images(path, fmnist_tiny):
    init_default_scope('mmpretrain')
    cfg = Config.fromfile(osp.join(REPO_ROOT, path))
    model = fe.build_model_for_extraction(cfg)
    assert model.data_preprocessor.pretext_views_only
    knn = Config.fromfile(osp.join(
        REPO_ROOT, 'configs/_base_/datasets/fashion-mnist_knn.py'))
    loader = knn.knn_train_dataloader
    loader.dataset.data_root = fmnist_tiny
    loader.dataset.indices = 12
    loader.batch_size = 5
    loader.num_workers = 0
    feats = fe.extract_features(model, loader)
    assert feats.shape == (12, 128)

    # reference: plain normalisation + backbone + global average pool
    pre_cfg = dict(cfg.model.data_preprocessor,
                   type='SelfSupDataPreprocessor')
    plain = MODELS.build(pre_cfg)
    from mmengine.runner import Runner
    ref = []
    with torch.no_grad():
        for data in Runner.build_dataloader(loader):
            x = plain(data, False)['inputs']
            ref.append(F.adaptive_avg_pool2d(model.backbone(x)[-1],
                                             1).flatten(1))
    torch.testing.assert_close(feats, torch.cat(ref))
    # training still refuses single images, with the fix in the message
    with pytest.raises(TypeError, match='add dict\\(type='):
        model.data_preprocessor(next(iter(Runner.build_dataloader(loader))),
                                True)
