"""Pre-flight check of the transfer launchers: bad input stops before
training with the problem and the fix."""
import os.path as osp

import pytest
import torch

from tests.test_transfer.helpers import CONFIG_ROOT, load_tool, require_ops

MASK = osp.join(CONFIG_ROOT, 'mmdetection', 'fashion-mnist',
                'mask-rcnn_r18-tiny-fpn_fashion-mnist-coco.py')
C4 = osp.join(CONFIG_ROOT, 'mmdetection', 'fashion-mnist',
              'faster-rcnn_r18-tiny-c4_fashion-mnist-coco.py')
FCN = osp.join(CONFIG_ROOT, 'mmsegmentation', 'fashion-mnist',
               'fcn_r18-tiny-d8_fashion-mnist-seg.py')


@pytest.fixture(scope='module')
def tool():
    require_ops()
    return load_tool('tools/benchmarks/check_transfer_pretrain.py',
                     'check_transfer_pretrain')


@pytest.fixture(scope='module')
def weights(tmp_path_factory):
    """Backbone state dict of the tiny configs' ResNet-18 (width 16)."""
    from mmpretrain.models import ResNet
    root = tmp_path_factory.mktemp('weights')
    state = ResNet(depth=18, stem_channels=16, base_channels=16).state_dict()
    paths = {}

    def save(name, obj):
        paths[name] = str(root / f'{name}.pth')
        torch.save(obj, paths[name])

    save('bare', {'state_dict': state})
    save('prefixed', {'state_dict': {f'backbone.{k}': v
                                     for k, v in state.items()}})
    sobel = dict(state, **{'conv1.weight': torch.zeros(16, 2, 7, 7)})
    save('sobel', sobel)
    save('extra', dict(state, **{'fc.weight': torch.zeros(10, 128)}))
    save('short', {k: v for k, v in state.items()
                   if not k.startswith('layer4.1.')})
    save('deep_stem', dict({k: v for k, v in state.items()
                            if not k.startswith(('conv1', 'bn1'))},
                           **{'stem.0.weight': torch.zeros(8, 3, 3, 3)}))
    save('wide', ResNet(depth=18).state_dict())
    save('pickled', {'state_dict': state, 'meta': {'x': object.__new__(
        torch.nn.Identity)}})
    return paths


@pytest.mark.parametrize('config,parts', [(MASK, 1), (FCN, 1), (C4, 2)])
def test_good_weights_give_init_options(tool, weights, config, parts):
    codebase = 'mmseg' if config == FCN else 'mmdet'
    options = tool.check_transfer_pretrain(codebase, config, weights['bare'])
    ckpt = osp.abspath(weights['bare'])
    assert options.count(f'model.backbone.init_cfg.checkpoint={ckpt}') == 1
    assert sum(o.endswith(f'init_cfg.checkpoint={ckpt}')
               for o in options) == parts
    if config == C4:
        assert ('model.roi_head.shared_head.init_cfg.type=Pretrained'
                in options)


def test_whole_model_checkpoint_uses_the_backbone_prefix(tool, weights):
    options = tool.check_transfer_pretrain('mmdet', C4, weights['prefixed'])
    assert 'model.backbone.init_cfg.prefix=backbone.' in options
    assert 'model.roi_head.shared_head.init_cfg.prefix=backbone.' in options


@pytest.mark.parametrize('name,config,message', [
    ('missing', MASK, 'does not exist. Extract the backbone'),
    ('sobel', MASK, 'Sobel backbone'),
    ('extra', FCN, 'keys unused by the model: fc.weight'),
    ('short', C4, 'keys missing from PRETRAIN: layer4.1.'),
    ('deep_stem', FCN, 'deep stem'),
    ('wide', MASK, 'shapes differ: bn1.bias (64,) (model (16,))'),
    ('pickled', MASK, 'would execute code'),
])
def test_bad_pretrain_is_refused(tool, weights, name, config, message):
    codebase = 'mmseg' if config == FCN else 'mmdet'
    path = weights.get(name, '/nonexistent/backbone.pth')
    with pytest.raises(tool.TransferCheckError) as info:
        tool.check_transfer_pretrain(codebase, config, path)
    assert message in str(info.value)


def test_wrong_codebase_and_missing_config(tool, weights):
    with pytest.raises(tool.TransferCheckError,
                       match='not an mmseg config.*mmdetection/mim_dist'):
        tool.check_transfer_pretrain('mmseg', MASK, weights['bare'])
    mmpretrain_cfg = osp.join(osp.dirname(CONFIG_ROOT), 'simclr')
    configs = sorted(__import__('glob').glob(osp.join(mmpretrain_cfg,
                                                      '*.py')))
    if configs:
        with pytest.raises(tool.TransferCheckError,
                           match="default_scope is 'mmpretrain'"):
            tool.check_transfer_pretrain('mmdet', configs[0],
                                         weights['bare'])
    with pytest.raises(tool.TransferCheckError, match='does not exist'):
        tool.check_transfer_pretrain('mmdet', 'nope.py', weights['bare'])


def test_user_cfg_options_are_checked_too(tool, weights):
    # Widening the config's backbone to the default width makes the
    # 'wide' weights match.
    options = tool.check_transfer_pretrain(
        'mmdet', MASK, weights['wide'],
        {'model.backbone.base_channels': 64,
         'model.neck.in_channels': [64, 128, 256, 512]})
    assert options


def test_main_prints_options_and_exit_codes(tool, weights, capsys):
    assert tool.main(['mmseg', FCN, weights['bare'],
                      '--print-cfg-options']) == 0
    out = capsys.readouterr().out.split()
    assert 'model.pretrained=None' in out
    assert tool.main(['mmseg', FCN, weights['sobel']]) == 1
    assert 'Sobel' in capsys.readouterr().err
