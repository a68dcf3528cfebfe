"""ResStageExtraNorm (C4 shared head) and the transfer registry coverage."""
import importlib
import inspect
import pkgutil

import pytest
import torch

from tests.test_transfer.helpers import require_transfer_extras


@pytest.fixture(scope='module')
def mmdet_models():
    require_transfer_extras()
    import mmssl_ext.transfer  # noqa: F401
    from mmdet.registry import MODELS
    from mmengine.registry import DefaultScope
    # Registry.build follows the current default scope; earlier tests may
    # have left 'mmpretrain', whose registry lacks mmdet-only modules.
    with DefaultScope.overwrite_default_scope('mmdet'):
        yield MODELS


def test_every_transfer_module_is_registered_in_mmdet_or_mmseg(mmdet_models):
    import mmssl_ext.transfer as transfer
    from mmseg.registry import MODELS as MMSEG_MODELS
    registered = set(mmdet_models.module_dict.values()) | set(
        MMSEG_MODELS.module_dict.values())
    for info in pkgutil.walk_packages(transfer.__path__, 'mmssl_ext.transfer.'):
        module = importlib.import_module(info.name)
        for obj in vars(module).values():
            if (inspect.isclass(obj) and obj.__module__ == module.__name__
                    and issubclass(obj, torch.nn.Module)):
                assert obj in registered, obj


@pytest.mark.parametrize('depth,base,c_in', [(18, 8, 32), (50, 16, 256)])
def test_shapes_and_pretrained_keys(mmdet_models, depth, base, c_in):
    from mmpretrain.models import ResNet
    head = mmdet_models.build(dict(type='ResStageExtraNorm', depth=depth,
                                   base_channels=base))
    out = head(torch.randn(2, c_in, 14, 14))
    assert out.shape == (2, 2 * c_in, 7, 7)
    backbone = ResNet(depth=depth, stem_channels=base, base_channels=base)
    layer4 = {k: v for k, v in backbone.state_dict().items()
              if k.startswith('layer4.')}
    result = head.load_state_dict(layer4, strict=False)
    assert result.unexpected_keys == []
    assert all(k.startswith(head.NEW_PARAMETER_PREFIXES)
               for k in result.missing_keys)
    torch.testing.assert_close(head.layer4[0].conv1.weight,
                               backbone.layer4[0].conv1.weight)


def test_extra_norm_normalises_and_norm_eval(mmdet_models):
    head = mmdet_models.build(dict(type='ResStageExtraNorm', depth=18,
                                   base_channels=8, norm_eval=True))
    head.train()
    assert not head.norm.training and not head.layer4[0].bn1.training
    head = mmdet_models.build(dict(type='ResStageExtraNorm', depth=18,
                                   base_channels=8))
    head.train()
    out = head(torch.randn(4, 32, 8, 8) * 5 + 3)
    # Train-mode BN with unit weight / zero bias: per-channel standardised.
    torch.testing.assert_close(out.mean(dim=(0, 2, 3)),
                               torch.zeros(64), atol=1e-4, rtol=0)


def test_bad_depth_names_the_fix(mmdet_models):
    with pytest.raises(ValueError, match='use one of'):
        mmdet_models.build(dict(type='ResStageExtraNorm', depth=19))
