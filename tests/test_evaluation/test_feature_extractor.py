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


# ------------------------------------------------------ the one extraction
class _Images(torch.utils.data.Dataset):
    """``n`` fixed random 3 x 16 x 16 images, packed like PackInputs."""

    def __init__(self, n=13):
        self.images = torch.randint(0, 256, (n, 3, 16, 16),
                                    generator=torch.Generator().manual_seed(0),
                                    dtype=torch.uint8)

    def __len__(self):
        return len(self.images)

    def __getitem__(self, i):
        from mmpretrain.structures import DataSample
        return dict(inputs=self.images[i],
                    data_samples=DataSample(metainfo=dict(sample_idx=i)))


def _loader(dataset, batch_size=4, **sampler):
    from mmengine.dataset import DefaultSampler, default_collate
    return torch.utils.data.DataLoader(
        dataset, batch_size=batch_size, collate_fn=default_collate,
        sampler=DefaultSampler(dataset, **dict(dict(shuffle=False),
                                              **sampler)))


def _tiny_model(backbone_type='ResNet_CIFAR', layers=None):
    cfg = Config(dict(model=dict(
        type='ImageClassifier',
        backbone=dict(type=backbone_type, depth=18, stem_channels=8,
                      base_channels=8),
        neck=dict(type='GlobalAveragePooling'),
        data_preprocessor=dict(mean=[100.0] * 3, std=[50.0] * 3))))
    return fe.build_model_for_extraction(cfg, seed=0, layers=layers)


def test_levels_from_the_one_table():
    """ResNet_CIFAR goes to ResNetFeats_CIFAR (the table every tool uses);
    several levels come from one pass, each globally pooled."""
    assert fe.feature_backbone_cfg(dict(type='ResNet_CIFAR', depth=18),
                                   ['feat1', 'feat5']) == dict(
        type='ResNetFeats_CIFAR', depth=18, out_indices=(0, 4))
    with pytest.raises(ValueError, match='gives only its last output'):
        fe.feature_backbone_cfg(dict(type='VisionTransformer'), ['feat4'])
    model = _tiny_model(layers=['feat1', 'feat5'])
    assert type(model.backbone).__name__ == 'ResNetFeats_CIFAR'
    dataset = _Images()
    feat1, feat5 = fe.extract_features(model, _loader(dataset),
                                       ['feat1', 'feat5'])
    x = (dataset.images.float() - 100.0) / 50.0
    with torch.no_grad():
        outs = model.backbone(x)
    torch.testing.assert_close(feat1, outs[0].mean(dim=(2, 3)))
    torch.testing.assert_close(feat5, outs[1].mean(dim=(2, 3)))
    assert torch.equal(fe.extract_features(model, _loader(dataset), 'feat5'),
                       feat5)
    neck = fe.extract_features(model, _loader(dataset), 'neck')
    torch.testing.assert_close(neck, feat5)  # GlobalAveragePooling
    # a plain ResNet returns its stages: feat5 yes, feat1 (stem) no
    plain = _tiny_model()
    assert fe.extract_features(plain, _loader(dataset), 'feat5').shape == (
        13, 64)
    with pytest.raises(ValueError, match="layers=\\['feat1'\\]"):
        fe.extract_features(plain, _loader(dataset), 'feat1')


def test_chunked_gather_and_bad_loaders():
    model = _tiny_model()
    dataset = _Images()
    whole = fe.extract_features(model, _loader(dataset))
    # one row per collective: the same matrix
    assert torch.equal(fe.extract_features(model, _loader(dataset),
                                           chunk_bytes=1), whole)
    assert not model.training
    model.train()
    fe.extract_features(model, _loader(dataset))
    assert model.training  # the mode is given back
    with pytest.raises(ValueError, match='shuffle=False'):
        fe.extract_features(model, _loader(dataset, shuffle=True))
    dropping = torch.utils.data.DataLoader(
        dataset, batch_size=4, drop_last=True,
        collate_fn=_loader(dataset).collate_fn)
    with pytest.raises(ValueError, match='drop_last'):
        fe.extract_features(model, dropping)


def test_two_processes_match_one(tmp_path):
    """Uneven shards (13 samples, 2 ranks, no round-up) and padded ones,
    gathered in 1-row chunks to rank 0 or everywhere: the single-process
    matrix, in dataset order."""
    from tests.helpers import run_distributed
    model = _tiny_model()
    torch.save(model.state_dict(), tmp_path / 'model.pth')
    want = fe.extract_features(model, _loader(_Images()))
    run_distributed(osp.join(osp.dirname(__file__), 'dist_scripts',
                             'extract_features_ddp.py'), [str(tmp_path)])
    for rank in (0, 1):
        got = torch.load(tmp_path / f'rank{rank}.pth')
        for name in ('round_up', 'uneven', 'everywhere'):
            if rank == 1 and name != 'everywhere':
                assert got[name] is None
            else:
                # other batch compositions: equal up to float rounding
                torch.testing.assert_close(got[name], want, rtol=1e-4,
                                           atol=1e-5, msg=str((rank, name)))
