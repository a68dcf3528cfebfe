"""extract_backbone_weights.py: plain-tensor output, errors, and a round trip
into mmpretrain, mmdet and mmseg ResNet backbones with tensor equality."""
import subprocess
import sys

import pytest
import torch
from mmengine.logging import MessageHub

import mmssl_ext  # noqa: F401
from mmssl_ext.compat import has_mmcv_ops
from tests.helpers import REPO_ROOT
from tests.test_tools._load_tool import load_tool

tool = load_tool('model_converters/extract_backbone_weights.py')

TINY_RESNET = dict(depth=18, stem_channels=8, base_channels=8)


def _pretrain_checkpoint(path, prefix='backbone'):
    """A checkpoint shaped like mmengine's: SimCLR model + message hub."""
    from mmpretrain.registry import MODELS
    model = MODELS.build(dict(
        type='SimCLR',
        backbone=dict(type='ResNet', **TINY_RESNET),
        neck=dict(type='NonLinearNeck', in_channels=64, hid_channels=32,
                  out_channels=16, num_layers=2, with_avg_pool=True),
        head=dict(type='ContrastiveHead', loss=dict(type='CrossEntropyLoss'),
                  temperature=0.1)))
    with torch.no_grad():  # make BN stats distinguishable from init
        for name, buf in model.named_buffers():
            if 'running' in name:
                buf.uniform_(0.5, 1.5)
    state = model.state_dict()
    if prefix != 'backbone':
        state = {k.replace('backbone.', prefix + '.', 1): v
                 for k, v in state.items()}
    hub = MessageHub.get_instance('extract_test')
    hub.update_scalar('train/loss', 1.0)
    torch.save({'meta': {'epoch': 1}, 'state_dict': state,
                'message_hub': hub.state_dict()}, path)
    return model


def _extract(tmp_path, *extra):
    ckpt = tmp_path / 'epoch_1.pth'
    model = _pretrain_checkpoint(ckpt)
    out = tmp_path / 'backbone.pth'
    tool.main([str(ckpt), str(out), *extra])
    return model, out


def test_output_is_plain_tensors_and_loads_without_allowlist(tmp_path):
    model, out = _extract(tmp_path)
    # A fresh interpreter without mmssl_ext: no allowlist installed.
    code = ('import torch,sys; d=torch.load(sys.argv[1], weights_only=True);'
            'assert all(k.startswith("backbone.") for k in d["state_dict"]);'
            'print(len(d["state_dict"]))')
    proc = subprocess.run([sys.executable, '-c', code, str(out)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert int(proc.stdout) == len(model.backbone.state_dict())


def test_round_trip_mmpretrain_pretrained_init(tmp_path):
    model, out = _extract(tmp_path)
    from mmpretrain.registry import MODELS
    backbone = MODELS.build(dict(
        type='ResNet', **TINY_RESNET,
        init_cfg=dict(type='Pretrained', checkpoint=str(out),
                      prefix='backbone')))
    backbone.init_weights()
    weights = torch.load(out, weights_only=True)['state_dict']
    n = tool.verify_backbone_loaded(backbone, weights, 'backbone.')
    assert n == len([k for k in backbone.state_dict()
                     if not k.endswith('num_batches_tracked')])
    for k, v in model.backbone.state_dict().items():
        assert torch.equal(v, backbone.state_dict()[k])


@pytest.mark.parametrize('codebase', ['mmdet', 'mmseg'])
def test_round_trip_downstream_resnet(tmp_path, codebase):
    if not has_mmcv_ops():
        pytest.skip(f'{codebase} needs mmcv compiled ops (mmcv._ext), which '
                    f'are absent: install the mmcv-full wheel to run this.')
    try:
        registry = __import__(f'{codebase}.registry',
                              fromlist=['MODELS']).MODELS
        __import__(f'{codebase}.models')
    except ImportError as exc:
        pytest.skip(f'{codebase} is not installed ({exc}): '
                    f'pip install the transfer extra to run this.')
    model, out = _extract(tmp_path)
    backbone = registry.build(dict(
        type='ResNet', **TINY_RESNET, out_indices=(0, 1, 2, 3),
        init_cfg=dict(type='Pretrained', checkpoint=str(out),
                      prefix='backbone')))
    backbone.init_weights()
    weights = torch.load(out, weights_only=True)['state_dict']
    assert tool.verify_backbone_loaded(backbone, weights, 'backbone.') > 0
    # Same weights -> same stage outputs as mmpretrain's ResNet.
    model.backbone.eval()
    backbone.eval()
    x = torch.randn(1, 3, 32, 32)
    with torch.no_grad():
        ref = model.backbone.__class__(**TINY_RESNET, out_indices=(0, 1, 2, 3))
        ref.load_state_dict(model.backbone.state_dict())
        ref.eval()
        for a, b in zip(ref(x), backbone(x)):
            assert torch.allclose(a, b, atol=1e-6)


def test_strip_prefix_loads_without_prefix(tmp_path):
    model, out = _extract(tmp_path, '--strip-prefix')
    from mmpretrain.registry import MODELS
    backbone = MODELS.build(dict(
        type='ResNet', **TINY_RESNET,
        init_cfg=dict(type='Pretrained', checkpoint=str(out))))
    backbone.init_weights()
    weights = torch.load(out, weights_only=True)['state_dict']
    assert tool.verify_backbone_loaded(backbone, weights) > 0


def test_custom_prefix_is_renamed_to_backbone(tmp_path):
    ckpt = tmp_path / 'ckpt.pth'
    _pretrain_checkpoint(ckpt, prefix='encoder')
    out = tmp_path / 'out.pth'
    tool.main([str(ckpt), str(out), '--prefix', 'encoder'])
    state = torch.load(out, weights_only=True)['state_dict']
    assert all(k.startswith('backbone.') for k in state)


def test_wrong_prefix_and_no_backbone_are_errors(tmp_path):
    ckpt = tmp_path / 'ckpt.pth'
    _pretrain_checkpoint(ckpt)
    with pytest.raises(tool.BackboneExtractionError, match='--prefix'):
        tool.main([str(ckpt), str(tmp_path / 'o.pth'), '--prefix', 'encoder'])
    headless = tmp_path / 'head_only.pth'
    torch.save({'state_dict': {'head.fc.weight': torch.zeros(2, 2)}}, headless)
    with pytest.raises(tool.BackboneExtractionError,
                       match=r"top-level modules \['head'\]"):
        tool.main([str(headless), str(tmp_path / 'o.pth')])
    with pytest.raises(FileNotFoundError, match='does not exist'):
        tool.main([str(tmp_path / 'nope.pth'), str(tmp_path / 'o.pth')])


def test_missing_keys_are_an_error(tmp_path):
    _, out = _extract(tmp_path)
    from mmpretrain.registry import MODELS
    wider = MODELS.build(dict(type='ResNet', depth=18, stem_channels=8,
                              base_channels=8, in_channels=3))
    weights = torch.load(out, weights_only=True)['state_dict']
    weights.pop('backbone.layer4.1.conv2.weight')
    with pytest.raises(tool.BackboneExtractionError, match='1 missing'):
        tool.verify_backbone_loaded(wider, weights, 'backbone.')


def test_verify_config_cli(tmp_path):
    ckpt = tmp_path / 'ckpt.pth'
    _pretrain_checkpoint(ckpt)
    cfg = tmp_path / 'cfg.py'
    cfg.write_text("default_scope = 'mmpretrain'\n"
                   "model = dict(type='ImageClassifier', backbone=dict("
                   "type='ResNet', depth=18, stem_channels=8, "
                   "base_channels=8))\n")
    proc = subprocess.run(
        [sys.executable, f'{REPO_ROOT}/tools/model_converters/'
         'extract_backbone_weights.py', str(ckpt), str(tmp_path / 'o.pth'),
         '--verify-config', str(cfg)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert 'Verified: all' in proc.stdout


VIT = dict(img_size=32, patch_size=8, final_norm=True)


def test_vit_round_trip_mmpretrain_and_mmseg(tmp_path):
    from mmpretrain.registry import MODELS
    vit = MODELS.build(dict(
        type='VisionTransformer', out_type='featmap', **VIT,
        arch=dict(embed_dims=32, num_layers=2, num_heads=2,
                  feedforward_channels=64)))
    vit.eval()
    ckpt = tmp_path / 'mae.pth'
    torch.save({'state_dict': {f'backbone.{k}': v
                               for k, v in vit.state_dict().items()}}, ckpt)
    # mmpretrain: default output, prefix='backbone'
    out = tmp_path / 'vit.pth'
    tool.main([str(ckpt), str(out)])
    again = MODELS.build(dict(
        type='VisionTransformer', out_type='featmap', **VIT,
        arch=dict(embed_dims=32, num_layers=2, num_heads=2,
                  feedforward_channels=64),
        init_cfg=dict(type='Pretrained', checkpoint=str(out),
                      prefix='backbone')))
    again.init_weights()
    tool.verify_backbone_loaded(
        again, torch.load(out, weights_only=True)['state_dict'], 'backbone.')
    # mmseg: converted names, bare keys, mmseg's own Pretrained loading
    if not has_mmcv_ops():
        pytest.skip('mmseg needs mmcv compiled ops (mmcv._ext), absent: '
                    'install the mmcv-full wheel to run the mmseg part.')
    try:
        # the class itself: a registry build would follow whatever default
        # scope an earlier test left (mmpretrain's VisionTransformer)
        from mmseg.models.backbones import VisionTransformer as SegViT
    except ImportError as exc:
        pytest.skip(f'mmseg is not installed ({exc}).')
    seg_file = tmp_path / 'vit_mmseg.pth'
    tool.main([str(ckpt), str(seg_file), '--target', 'mmseg-vit'])
    seg = SegViT(
        **VIT, embed_dims=32, num_layers=2,
        num_heads=2, mlp_ratio=2, patch_bias=True, out_indices=(1, ),
        norm_cfg=dict(type='LN', eps=1e-6),   # mmpretrain's LN eps
        init_cfg=dict(type='Pretrained', checkpoint=str(seg_file)))
    seg.init_weights()
    seg.eval()
    tool.verify_backbone_loaded(
        seg, torch.load(seg_file, weights_only=True)['state_dict'])
    x = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        ref = vit(x)[-1]
        got = seg(x)[-1]
    assert torch.allclose(ref, got, atol=1e-5)
