"""Every tool reads checkpoints through the safe loader: plain mmengine files
(HistoryBuffer logs, numpy scalars) load with no flag, also in torch's pre-1.6
format; untrusted pickles are refused with the fix; bad inputs are named."""
import glob
import os
import os.path as osp
import pickle
import sys

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.logging import HistoryBuffer

import mmssl_ext  # noqa: F401
from mmpretrain.models.backbones import ResNet
from mmssl_ext.compat.checkpoint import (UnsafeCheckpointError,
                                         load_checkpoint_file)
from tests.helpers import REPO_ROOT
from tests.test_tools._load_tool import load_tool

SVM_CFG = """default_scope = 'mmpretrain'
model = dict(
    type='SimCLR',
    backbone=dict(type='ResNet', depth=18, stem_channels=8, base_channels=8),
    data_preprocessor=dict(type='SelfSupDataPreprocessor',
                           mean=[72.9] * 3, std=[90.0] * 3))
"""


class _Payload:
    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return os.system, (f'touch {self.marker}', )


def mmengine_like(state, **extra):
    """What mmengine's CheckpointHook writes, minus the optimizer."""
    buf = HistoryBuffer()
    buf.update(0.5)
    return {'meta': {'epoch': 1, 'iter': 10, 'best': np.float64(0.25)},
            'state_dict': state,
            'message_hub': {'log_scalars': {'train/loss': buf},
                            'runtime_info': {'eta': np.float64(1.0)}},
            **extra}


def backbone_state(prefix='backbone.'):
    net = ResNet(depth=18, stem_channels=8, base_channels=8)
    return {prefix + k: v for k, v in net.state_dict().items()}


@pytest.mark.parametrize('zip_format', [True, False])
def test_seed_args_reads_older_torch_files(tmp_path, zip_format):
    """model.pretrained: mmap is only possible for zip files; older ones
    (torch.save(..., _use_new_zipfile_serialization=False)) load normally."""
    sys.path.insert(0, osp.join(REPO_ROOT, 'tools', 'misc'))
    from seed_args import translate
    path = tmp_path / 'old.pth'
    torch.save(mmengine_like(backbone_state()), path,
               _use_new_zipfile_serialization=zip_format)
    out = translate(['--cfg-options', f'model.pretrained={path}'])
    assert 'model.backbone.init_cfg.prefix=backbone.' in out


def test_svm_tool_names_a_checkpoint_without_backbone_keys(tmp_path):
    tool = load_tool('../benchmarks/classification/svm_voc07/svm_voc07.py')
    cfg_file = tmp_path / 'cfg.py'
    cfg_file.write_text(SVM_CFG)
    cfg = Config.fromfile(str(cfg_file))
    bare = tmp_path / 'bare.pth'
    torch.save({'state_dict': backbone_state(prefix='')}, bare)
    with pytest.raises(ValueError) as info:
        tool.build_feature_model(cfg, str(bare), ['feat5'], [1, 1, 1, 1, 1])
    msg = str(info.value)
    assert str(bare) in msg and 'no "backbone." keys' in msg
    assert 'extract_backbone_weights.py without --strip-prefix' in msg
    # a plain mmengine checkpoint (HistoryBuffer logs) loads with no flag
    full = tmp_path / 'full.pth'
    torch.save(mmengine_like(backbone_state()), full)
    model = tool.build_feature_model(cfg, str(full), ['feat5'],
                                     [1, 1, 1, 1, 1], pool_type='adaptive')
    assert model is not None


def test_tools_refuse_untrusted_pickles(tmp_path):
    marker = tmp_path / 'executed'
    evil = tmp_path / 'evil.pth'
    torch.save(mmengine_like(backbone_state(), x=_Payload(marker)), evil)
    tsne = load_tool('analysis_tools/visualize_tsne.py')
    extract = load_tool('model_converters/extract_backbone_weights.py')
    check = load_tool('benchmarks/check_transfer_pretrain.py')
    for load, error in (
            (tsne.load_backbone_state, UnsafeCheckpointError),
            (extract.load_checkpoint_state_dict,
             extract.BackboneExtractionError),
            (check.load_pretrain, check.TransferCheckError)):
        with pytest.raises(error) as info:
            load(str(evil))
        assert 'convert_legacy_checkpoint.py' in str(info.value)
    assert not marker.exists()
    # the same content without the payload loads in each tool
    good = tmp_path / 'good.pth'
    torch.save(mmengine_like(backbone_state()), good)
    assert 'conv1.weight' in tsne.load_backbone_state(str(good))
    assert 'backbone.conv1.weight' in extract.load_checkpoint_state_dict(
        str(good))
    state, prefix = check.load_pretrain(str(good))
    assert prefix == 'backbone.' or 'backbone.conv1.weight' in state


def test_publish_model_reads_mmengine_checkpoints(tmp_path):
    src = tmp_path / 'epoch_1.pth'
    ckpt = mmengine_like(backbone_state(), optimizer={'state': {}})
    torch.save(ckpt, src)
    tool = load_tool('model_converters/publish_model.py')
    tool.main([str(src), str(tmp_path / 'published.pth')])
    out = glob.glob(str(tmp_path / 'published_*.pth'))
    assert len(out) == 1
    published = load_checkpoint_file(out[0])
    assert not {'message_hub', 'optimizer'} & set(published)
    for key, value in ckpt['state_dict'].items():
        assert torch.equal(published['state_dict'][key], value)
    assert not glob.glob(str(tmp_path / '.publish_input_*'))


def test_refusal_is_an_unpickling_error():
    # callers that catch pickle errors (mmengine, user code) still do
    assert issubclass(UnsafeCheckpointError, pickle.UnpicklingError)
