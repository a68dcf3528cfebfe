"""The one checkpoint -> backbone loader: each error names the file and the
fix, and every tool that reads a backbone goes through it (same error for
the same bad file)."""
import os

import pytest
import torch
from mmpretrain.models.backbones import ResNet

import mmssl_ext  # noqa: F401
from mmssl_ext.compat.checkpoint import (CorruptCheckpointError,
                                         UnsafeCheckpointError)
from mmssl_ext.models.utils.backbone_checkpoint import (
    BackboneCheckpointError, BackboneKeysError, BackboneMismatchError,
    CorruptBackboneCheckpointError, UnsafeBackboneCheckpointError,
    load_backbone, read_backbone)
from tests.test_tools._load_tool import load_tool

TINY = dict(depth=18, stem_channels=8, base_channels=8)


def _net(**kwargs):
    return ResNet(**dict(TINY, **kwargs))


def _save(path, state, wrap=True):
    torch.save({'state_dict': state} if wrap else state, path)
    return str(path)


def _prefixed(net, prefix='backbone.'):
    return {prefix + k: v for k, v in net.state_dict().items()}


class _Payload:

    def __reduce__(self):
        return os.getcwd, ()


@pytest.mark.parametrize('layout', ['prefixed', 'bare', 'ddp', 'model_key'])
def test_good_files_load_every_tensor(tmp_path, layout):
    src = _net()
    with torch.no_grad():
        for p in src.parameters():
            p.uniform_()
    state = {
        'prefixed': _prefixed(src),
        'bare': src.state_dict(),
        'ddp': _prefixed(src, 'module.backbone.'),
        'model_key': _prefixed(src),
    }[layout]
    # a BatchNorm counter a checkpoint may lack is not required
    state = {k: v for k, v in state.items()
             if not k.endswith('bn1.num_batches_tracked')}
    path = tmp_path / 'ckpt.pth'
    if layout == 'model_key':
        torch.save({'model': state}, path)
    else:
        _save(path, state)
    dst = _net()
    load_backbone(dst, str(path))
    for k, v in src.state_dict().items():
        if not k.endswith('num_batches_tracked'):
            assert torch.equal(dst.state_dict()[k], v), k


def test_missing_file(tmp_path):
    path = str(tmp_path / 'nope.pth')
    with pytest.raises(FileNotFoundError) as info:
        load_backbone(_net(), path)
    assert path in str(info.value) and 'does not exist' in str(info.value)
    assert 'extract_backbone_weights.py' in str(info.value)


def test_truncated_file(tmp_path):
    path = _save(tmp_path / 'full.pth', _prefixed(_net()))
    data = open(path, 'rb').read()
    cut = tmp_path / 'cut.pth'
    cut.write_bytes(data[:len(data) // 2])
    with pytest.raises(CorruptBackboneCheckpointError) as info:
        load_backbone(_net(), str(cut))
    assert isinstance(info.value, CorruptCheckpointError)  # the safe loader's
    assert str(cut) in str(info.value)
    assert 'truncated or corrupt' in str(info.value)
    assert 'previous checkpoint' in str(info.value)  # the fix


def test_no_backbone_keys_lists_the_top_level_modules(tmp_path):
    path = _save(tmp_path / 'heads.pth', {
        'neck.fc.weight': torch.zeros(2, 2),
        'head.fc.weight': torch.zeros(2, 2)})
    with pytest.raises(BackboneKeysError) as info:
        load_backbone(_net(), path)
    msg = str(info.value)
    assert path in msg and 'no "backbone." keys' in msg
    assert "top-level modules ['head', 'neck']" in msg
    assert 'epoch_N.pth' in msg  # the fix


def test_wrong_prefix_is_named(tmp_path):
    net = _net()
    path = _save(tmp_path / 'encoder.pth', dict(
        _prefixed(net, 'encoder_q.'), **{'head.w': torch.zeros(1)}))
    with pytest.raises(BackboneKeysError, match='--prefix encoder_q'):
        load_backbone(_net(), path)
    # and the file loads with that prefix
    load_backbone(_net(), path, prefix='encoder_q')
    # a bare (--strip-prefix) file where a prefix is required
    bare = _save(tmp_path / 'bare.pth', net.state_dict())
    with pytest.raises(BackboneKeysError,
                       match='extract_backbone_weights.py without '
                       '--strip-prefix'):
        load_backbone(_net(), bare, allow_bare=False)


def test_architecture_mismatch_lists_keys_and_shapes(tmp_path):
    wide = _save(tmp_path / 'wide.pth', _prefixed(ResNet(
        depth=18, stem_channels=16, base_channels=8)))
    with pytest.raises(BackboneMismatchError) as info:
        load_backbone(_net(), wide)
    msg = str(info.value)
    assert wide in msg
    assert 'conv1.weight (16, 3, 7, 7) (model (8, 3, 7, 7))' in msg
    assert 'use the config the checkpoint was pretrained with' in msg
    deeper = _save(tmp_path / 'r34.pth', _prefixed(ResNet(depth=34, **{
        k: v for k, v in TINY.items() if k != 'depth'})))
    with pytest.raises(BackboneMismatchError) as info:
        load_backbone(_net(), deeper)
    assert 'the checkpoint keys unused by the model: layer1.2.' in str(
        info.value)
    short = _prefixed(_net())
    short.pop('backbone.layer4.1.conv2.weight')
    short = _save(tmp_path / 'short.pth', short)
    with pytest.raises(BackboneMismatchError,
                       match=r'1 keys missing from the checkpoint'
                       r': layer4.1.conv2.weight \(64, 64, 3, 3\)'):
        load_backbone(_net(), short)


def test_legacy_checkpoint_gets_the_safe_loaders_message(tmp_path):
    path = _save(tmp_path / 'legacy.pth',
                 dict(_prefixed(_net()), extra=_Payload()), wrap=False)
    with pytest.raises(UnsafeBackboneCheckpointError) as info:
        load_backbone(_net(), path)
    assert isinstance(info.value, UnsafeCheckpointError)
    assert path in str(info.value)
    assert 'convert_legacy_checkpoint.py' in str(info.value)


def test_not_a_state_dict(tmp_path):
    path = tmp_path / 'list.pth'
    torch.save([1, 2], path)
    with pytest.raises(BackboneCheckpointError, match='holds no state dict'):
        read_backbone(str(path))


def test_every_tool_gives_the_same_error(tmp_path):
    """feature extraction, SVM, t-SNE, extract_backbone_weights and the
    transfer pre-flight check read through the one loader."""
    from mmengine.config import Config
    from mmssl_ext.evaluation.feature_extractor import load_backbone_weights
    heads = _save(tmp_path / 'heads.pth', {'head.fc.weight': torch.zeros(1)})
    cut = tmp_path / 'cut.pth'
    cut.write_bytes(open(_save(tmp_path / 'ok.pth', _prefixed(_net())),
                         'rb').read()[:300])
    svm = load_tool('../benchmarks/classification/svm_voc07/svm_voc07.py')
    tsne = load_tool('analysis_tools/visualize_tsne.py')
    extract = load_tool('model_converters/extract_backbone_weights.py')
    check = load_tool('benchmarks/check_transfer_pretrain.py')
    cfg = Config(dict(model=dict(backbone=dict(type='ResNet', **TINY))))

    def svm_load(path):
        svm.build_feature_model(cfg, path, ['feat5'], [1, 1, 1, 1, 1],
                                pool_type='adaptive')

    def extract_load(path):
        extract.main([path, str(tmp_path / 'out.pth')])

    def check_load(path):
        try:
            check.load_pretrain(path)
        except check.TransferCheckError as exc:
            raise exc.__cause__

    loaders = [lambda p: load_backbone_weights(_net(), p), svm_load,
               tsne.load_backbone_state, extract_load, check_load]
    for path, error, text in ((heads, BackboneKeysError,
                               "top-level modules ['head']"),
                              (str(cut), CorruptBackboneCheckpointError,
                               'truncated or corrupt')):
        for load in loaders:
            with pytest.raises(error) as info:
                load(path)
            assert path in str(info.value) and text in str(info.value)
