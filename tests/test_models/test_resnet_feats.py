"""ResNetFeats: feat1 (stem before max-pool) .. feat5, same keys as ResNet."""
import pytest
import torch
from mmpretrain.models.backbones import ResNet

from mmssl_ext.models.backbones import ResNetFeats
from mmssl_ext.models.backbones.resnet_feats import feat_indices


def test_resnet50_feature_shapes_224():
    model = ResNetFeats(depth=50).eval()
    with torch.no_grad():
        outs = model(torch.randn(1, 3, 224, 224))
    assert [tuple(o.shape) for o in outs] == [
        (1, 64, 112, 112), (1, 256, 56, 56), (1, 512, 28, 28),
        (1, 1024, 14, 14), (1, 2048, 7, 7)]


def test_same_state_dict_and_stage_outputs_as_resnet():
    kw = dict(depth=18, stem_channels=8, base_channels=8)
    ref = ResNet(**kw, out_indices=(0, 1, 2, 3))
    ref.eval()
    ours = ResNetFeats(**kw).eval()
    assert ours.state_dict().keys() == ref.state_dict().keys()
    ours.load_state_dict(ref.state_dict())
    x = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        feats = ours(x)
        stem = ref.relu(ref.norm1(ref.conv1(x)))
        assert torch.equal(feats[0], stem)
        for a, b in zip(feats[1:], ref(x)):
            assert torch.equal(a, b)


def test_out_indices_subset_and_errors():
    model = ResNetFeats(depth=18, stem_channels=8, base_channels=8,
                        out_indices=(0, 4))
    outs = model(torch.randn(2, 3, 64, 64))
    assert [o.shape[1] for o in outs] == [8, 64]
    with pytest.raises(ValueError, match='out of range'):
        ResNetFeats(depth=18, out_indices=(5, ))
    assert feat_indices(['feat1', 'feat5']) == (0, 4)
    with pytest.raises(ValueError, match="feat6"):
        feat_indices(['feat6'])


def test_frozen_and_sobel_input():
    model = ResNetFeats(depth=18, stem_channels=8, base_channels=8,
                        frozen_stages=4, norm_eval=True, in_channels=2)
    model.train()
    assert not any(p.requires_grad for p in model.parameters())
    assert not model.norm1.training
    assert model(torch.randn(1, 2, 32, 32))[0].shape == (1, 8, 16, 16)
    assert model.eval() is model


def test_cifar_variant_matches_resnet_cifar():
    from mmpretrain.models.backbones import ResNet_CIFAR

    from mmssl_ext.models.backbones import ResNetFeats_CIFAR
    kw = dict(depth=18, stem_channels=8, base_channels=8)
    ref = ResNet_CIFAR(**kw, out_indices=(0, 1, 2, 3))
    ref.eval()  # mmpretrain's ResNet.train() returns None
    ours = ResNetFeats_CIFAR(**kw).eval()
    assert ours.state_dict().keys() == ref.state_dict().keys()
    ours.load_state_dict(ref.state_dict())
    x = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        feats = ours(x)
        stem = ref.relu(ref.norm1(ref.conv1(x)))
        assert torch.equal(feats[0], stem)
        assert [tuple(f.shape[2:]) for f in feats] == [
            (32, 32), (32, 32), (16, 16), (8, 8), (4, 4)]
        for a, b in zip(feats[1:], ref(x)):
            assert torch.equal(a, b)
    with pytest.raises(ValueError, match='deep_stem'):
        ResNetFeats_CIFAR(depth=18, deep_stem=True)
