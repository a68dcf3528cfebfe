"""Detection and segmentation transfer through the launchers and
`mim train`, from weights extracted by
tools/model_converters/extract_backbone_weights.py: a couple of iterations on
the Fashion-MNIST sets, then evaluation (bbox/segm mAP, mIoU)."""
import glob
import json
import os.path as osp
import subprocess

import pytest
import torch

from tests.helpers import REPO_ROOT
from tests.test_transfer.helpers import (CONFIG_ROOT, load_tool,
                                         make_transfer_sets, require_ops,
                                         require_transfer_extras, tool_env,
                                         write_small_fashion_mnist)

MASK = osp.join(CONFIG_ROOT, 'mmdetection', 'fashion-mnist',
                'mask-rcnn_r18-tiny-fpn_fashion-mnist-coco.py')
FCN = osp.join(CONFIG_ROOT, 'mmsegmentation', 'fashion-mnist',
               'fcn_r18-tiny-d8_fashion-mnist-seg.py')
SHORT_RUN = ['--cfg-options', 'train_cfg.max_iters=2',
             'train_cfg.val_interval=2', 'train_dataloader.batch_size=2',
             'val_dataloader.batch_size=2']


def _launch(codebase_dir, config, pretrain, cwd, work_dir, *args):
    script = osp.join(REPO_ROOT, 'benchmarks', codebase_dir,
                      'mim_dist_train.sh')
    env = dict(tool_env(), WORK_DIR=str(work_dir))
    return subprocess.run(['bash', script, config, str(pretrain), '0', *args],
                          cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=600)


@pytest.fixture(scope='module')
def workspace(tmp_path_factory):
    """Fashion-MNIST sets under data/ and extracted backbone weights of the
    tiny configs' ResNet-18 (width 16)."""
    require_ops()
    from mmpretrain.models import ResNet
    root = tmp_path_factory.mktemp('transfer')
    source = write_small_fashion_mnist(str(root / 'idx'))
    make_transfer_sets(str(root), source, num_train=8, num_val=2)
    # A pretraining-style checkpoint: backbone.* plus a neck, as mmpretrain
    # writes it; the extractor keeps the backbone.
    torch.manual_seed(0)
    backbone = ResNet(depth=18, stem_channels=16, base_channels=16)
    state = {f'backbone.{k}': v for k, v in backbone.state_dict().items()}
    state['neck.fc.weight'] = torch.zeros(8, 128)
    torch.save({'state_dict': state, 'meta': {'epoch': 1}},
               root / 'pretrain.pth')
    extract = load_tool('tools/model_converters/extract_backbone_weights.py',
                        'extract_backbone_weights')
    extract.main([str(root / 'pretrain.pth'), str(root / 'backbone.pth')])
    return root


def _last_metrics(work_dir):
    logs = glob.glob(osp.join(work_dir, '*', 'vis_data', '2*.json'))
    assert logs, f'no mmengine json log under {work_dir}'
    with open(logs[0]) as f:
        records = [json.loads(line) for line in f if line.strip()]
    return records[-1]


def _assert_trained(proc, work_dir, pretrain):
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-6000:]
    assert 'check_transfer_pretrain: ' in out and 'matches' in out
    # The user's cfg-options reached train.py after the PRETRAIN ones.
    assert osp.isfile(osp.join(work_dir, 'iter_2.pth'))
    # The backbone was initialised from PRETRAIN (mmengine's PretrainedInit):
    # two small steps later its weights are still close to PRETRAIN's.
    assert f'from: {pretrain}' in out
    from mmssl_ext.compat.checkpoint import load_checkpoint_file
    trained = load_checkpoint_file(osp.join(work_dir, 'iter_2.pth'),
                                   map_location='cpu')['state_dict']
    source = torch.load(pretrain, weights_only=True)['state_dict']
    for key in ('conv1.weight', 'layer3.1.conv2.weight'):
        before, after = source[f'backbone.{key}'], trained[f'backbone.{key}']
        assert (after - before).norm() < 0.1 * before.norm(), key


def test_detection_transfer_trains_and_evaluates(workspace):
    work_dir = workspace / 'wd_mask'
    pretrain = workspace / 'backbone.pth'
    proc = _launch('mmdetection', MASK, pretrain, workspace, work_dir,
                   *SHORT_RUN)
    _assert_trained(proc, str(work_dir), pretrain)
    metrics = _last_metrics(str(work_dir))
    for key in ('coco/bbox_mAP', 'coco/segm_mAP'):
        assert -1 <= metrics[key] <= 1, metrics


def test_segmentation_transfer_trains_and_evaluates(workspace):
    work_dir = workspace / 'wd_fcn'
    pretrain = workspace / 'backbone.pth'
    proc = _launch('mmsegmentation', FCN, pretrain, workspace, work_dir,
                   *SHORT_RUN)
    _assert_trained(proc, str(work_dir), pretrain)
    metrics = _last_metrics(str(work_dir))
    assert 0 <= metrics['mIoU'] <= 100, metrics


def test_launcher_stops_before_training(tmp_path):
    """Bad input (here a missing PRETRAIN; the other cases are in
    test_check_transfer_pretrain.py) stops the launcher before `mim train`."""
    require_transfer_extras()
    from mmssl_ext.compat import has_mmcv_ops
    message = 'does not exist'
    proc = _launch('mmdetection', MASK, '/nonexistent/backbone.pth', tmp_path,
                   tmp_path / 'wd', *SHORT_RUN)
    assert proc.returncode == 1
    assert 'Stopped before training' in proc.stderr
    expected = message if has_mmcv_ops() else 'make mmcv-full'
    assert expected in proc.stderr, proc.stderr[-3000:]
    assert 'mim train' not in proc.stderr and not (tmp_path / 'wd').exists()
