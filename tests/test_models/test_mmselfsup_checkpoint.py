"""MMSelfSup 0.x / 1.x checkpoints of our algorithms: they load for
evaluation, as ``load_from`` (memory rebuilt and logged) and through
extract_backbone_weights.py; conventions we cannot honour fail clearly.

The checkpoints are synthetic, built here with the reference's key names as
read from open-mmlab/mmselfsup (branch 0.x: Sobel layer ``sobel_layer`` on
the algorithm, memories and ``loss_weight`` as plain attributes; branch main:
``ResNetSobel.sobel_layer``, ``ClsHead.fc_cls``, ``RelativeLocNeck.bn``,
``ODCMemory`` registering only ``centroids``, ``SimpleMemory.feature_bank``
and ``loss_weight`` as buffers), and saved with plain types only (they load
under ``weights_only=True``).
"""
import glob
import os.path as osp

import pytest
import torch
import torch.nn.functional as F
from mmengine.dataset import DefaultSampler, default_collate
from mmengine.hooks import Hook
from mmengine.runner import Runner, load_checkpoint
from torch.utils.data import DataLoader

import mmssl_ext  # noqa: F401
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample
from mmssl_ext.evaluation.feature_extractor import (build_model_for_extraction,
                                                    extract_features)
from mmssl_ext.models.utils.mmselfsup_checkpoint import \
    MMSelfSupCheckpointError
from tests.helpers import tiny_cfg
from tests.test_engine._clustering_cfg import NUM_SAMPLES
from tests.test_engine._clustering_cfg import tiny_cfg as clustering_cfg
from tests.test_tools._load_tool import load_tool

ALGOS = ('deepcluster', 'odc', 'npid', 'relative_loc', 'rotation_pred')
LAYOUTS = ('0.x', '1.x')
TINY = dict(type='ResNet_CIFAR', depth=18, stem_channels=8, base_channels=8)
MEAN, STD = [72.9] * 3, [90.0] * 3

# --------------------------------------------------- the reference layout
# reference (MMSelfSup) name -> our name, for everything but the backbone
REF_NECK_HEAD = {
    'deepcluster': {'head.fc_cls.weight': 'head.fc.weight',
                    'head.fc_cls.bias': 'head.fc.bias'},
    'odc': {'neck.fc0.weight': 'neck.fc0.weight',
            'neck.fc0.bias': 'neck.fc0.bias',
            'neck.bn0.running_mean': 'neck.bn0.running_mean',
            'neck.bn0.running_var': 'neck.bn0.running_var',
            'neck.bn0.num_batches_tracked': 'neck.bn0.num_batches_tracked',
            'neck.fc1.weight': 'neck.fc1.weight',
            'neck.fc1.bias': 'neck.fc1.bias',
            'head.fc_cls.weight': 'head.fc.weight',
            'head.fc_cls.bias': 'head.fc.bias'},
    'npid': {'neck.fc.weight': 'neck.fc.weight',
             'neck.fc.bias': 'neck.fc.bias'},
    'relative_loc': {'neck.fc.weight': 'neck.fc.weight',
                     'neck.fc.bias': 'neck.fc.bias',
                     'neck.bn.weight': 'neck.norm.weight',
                     'neck.bn.bias': 'neck.norm.bias',
                     'neck.bn.running_mean': 'neck.norm.running_mean',
                     'neck.bn.running_var': 'neck.norm.running_var',
                     'neck.bn.num_batches_tracked':
                     'neck.norm.num_batches_tracked',
                     'head.fc_cls.weight': 'head.fc.weight',
                     'head.fc_cls.bias': 'head.fc.bias'},
    'rotation_pred': {'head.fc_cls.weight': 'head.fc.weight',
                      'head.fc_cls.bias': 'head.fc.bias'},
}
# buffers only 1.x registers (0.x kept them as plain attributes)
REF_1X_BUFFERS = {
    'deepcluster': ('loss_weight', ),
    'odc': ('loss_weight', 'memory_bank.centroids'),
    'npid': ('memory_bank.feature_bank', ),
    'relative_loc': (),
    'rotation_pred': (),
}
SOBEL_PREFIX = {'0.x': 'sobel_layer.sobel.',
                '1.x': 'backbone.sobel_layer.sobel.'}


def reference_sobel(grey=(1 / 3, 1 / 3, 1 / 3)):
    """MMSelfSup's fixed Sobel layer: 1x1 conv RGB -> grey (weights 1/3,
    bias 0), then a 3x3 conv with the two Sobel kernels (bias 0)."""
    gx = torch.tensor([[1., 0., -1.], [2., 0., -2.], [1., 0., -1.]])
    gy = torch.tensor([[1., 2., 1.], [0., 0., 0.], [-1., -2., -1.]])
    return {'0.weight': torch.tensor(grey).view(1, 3, 1, 1),
            '0.bias': torch.zeros(1),
            '1.weight': torch.stack([gx, gy]).unsqueeze(1),
            '1.bias': torch.zeros(2)}


def reference_state(algo, layout, ours, sobel=None):
    """The state dict MMSelfSup ``layout`` saves for the weights ``ours``
    (a state dict of our model)."""
    ref = {k: v for k, v in ours.items() if k.startswith('backbone.')}
    for ref_name, our_name in REF_NECK_HEAD[algo].items():
        ref[ref_name] = ours[our_name]
    if layout == '1.x':
        for name in REF_1X_BUFFERS[algo]:
            ref[name] = ours[name]
    if algo == 'deepcluster':
        for k, v in (sobel or reference_sobel()).items():
            ref[SOBEL_PREFIX[layout] + k] = v
    return ref


def save_reference(path, layout, state):
    """An mmcv-1 (0.x) or mmengine (1.x) checkpoint of plain types."""
    meta = dict(epoch=3, iter=30, seed=0, config='model = dict()',
                mmselfsup_version='0.9.1' if layout == '0.x' else '1.0.0')
    ckpt = dict(meta=meta, state_dict=state)
    if layout == '0.x':
        ckpt['optimizer'] = dict(state={}, param_groups=[dict(lr=0.1)])
    else:
        ckpt['message_hub'] = dict(log_scalars={}, runtime_info={})
    torch.save(ckpt, str(path))
    torch.load(str(path), weights_only=True)  # plain types only
    return str(path)


# ------------------------------------------------------------ tiny models
def model_cfg(algo, length=24):
    cfgs = dict(
        deepcluster=dict(
            type='DeepCluster',
            data_preprocessor=dict(type='SobelDataPreprocessor', mean=MEAN,
                                   std=STD),
            backbone=dict(TINY, in_channels=2),
            neck=dict(type='GlobalAveragePooling'),
            head=dict(type='ClusterHead', in_channels=64, num_classes=4)),
        odc=dict(
            type='ODC', data_preprocessor=dict(mean=MEAN, std=STD),
            backbone=TINY,
            neck=dict(type='ODCNeck', in_channels=64, hid_channels=32,
                      out_channels=16),
            head=dict(type='ClusterHead', in_channels=16, num_classes=4),
            memory_bank=dict(type='ODCMemory', length=length, feat_dim=16,
                             num_classes=4, min_cluster=2)),
        npid=dict(
            type='NPID', neg_num=8, data_preprocessor=dict(mean=MEAN,
                                                           std=STD),
            backbone=TINY,
            neck=dict(type='LinearNeck', in_channels=64, out_channels=8,
                      gap_dim=2, norm_cfg=None),
            head=dict(type='ContrastiveHead',
                      loss=dict(type='CrossEntropyLoss'), temperature=0.07),
            memory_bank=dict(type='SimpleMemory', length=length,
                             feat_dim=8)),
        relative_loc=dict(
            type='RelativeLoc',
            data_preprocessor=dict(type='RelativeLocDataPreprocessor',
                                   mean=MEAN, std=STD),
            backbone=TINY,
            neck=dict(type='RelativeLocNeck', in_channels=64,
                      out_channels=32),
            head=dict(type='PretextClsHead', in_channels=32, num_classes=8,
                      with_avg_pool=False)),
        rotation_pred=dict(
            type='RotationPred',
            data_preprocessor=dict(type='RotationPredDataPreprocessor',
                                   mean=MEAN, std=STD),
            backbone=TINY,
            head=dict(type='PretextClsHead', in_channels=64, num_classes=4)),
    )
    return cfgs[algo]


@torch.no_grad()
def randomize(model, seed):
    """Distinct weights and BN statistics (not the init values), and a
    1.x-style filled memory / loss weights."""
    gen = torch.Generator().manual_seed(seed)
    for name, p in model.named_parameters():
        p.copy_(torch.rand(p.shape, generator=gen) - 0.5)
    for name, b in model.named_buffers():
        if name.endswith('running_mean'):
            b.copy_(torch.rand(b.shape, generator=gen) * 0.2)
        elif name.endswith('running_var'):
            b.copy_(torch.rand(b.shape, generator=gen) + 0.5)
        elif name.endswith('num_batches_tracked'):
            b.fill_(7)
        elif name in ('loss_weight', 'memory_bank.centroids',
                      'memory_bank.feature_bank'):
            b.copy_(torch.rand(b.shape, generator=gen))
    return model


class _Images(torch.utils.data.Dataset):
    """Fixed random uint8 images, as mmpretrain's PackInputs gives them."""

    def __init__(self, n=6, size=32):
        gen = torch.Generator().manual_seed(1)
        self.images = torch.randint(0, 256, (n, 3, size, size),
                                    generator=gen, dtype=torch.uint8)

    def __len__(self):
        return len(self.images)

    def __getitem__(self, i):
        return dict(inputs=self.images[i],
                    data_samples=DataSample(metainfo=dict(sample_idx=i)))


def _loader(dataset):
    return DataLoader(dataset, batch_size=4, collate_fn=default_collate,
                      sampler=DefaultSampler(dataset, shuffle=False))


# ------------------------------------------------------------- evaluation
@pytest.mark.parametrize('layout', LAYOUTS)
@pytest.mark.parametrize('algo', ALGOS)
def test_loads_for_evaluation(algo, layout, tmp_path):
    source = randomize(MODELS.build(model_cfg(algo)), seed=0).eval()
    ours = source.state_dict()
    path = save_reference(tmp_path / 'ref.pth', layout,
                          reference_state(algo, layout, ours))
    target = MODELS.build(model_cfg(algo))
    # strict: every tensor of ours is supplied (memory kept as it was)
    load_checkpoint(target, path, map_location='cpu', strict=True)
    target.eval()
    loaded = target.state_dict()
    for name in REF_NECK_HEAD[algo].values():
        assert torch.equal(loaded[name], ours[name]), name
    for name in ours:
        if name.startswith('backbone.'):
            assert torch.equal(loaded[name], ours[name]), name
    # memory / loss weights: 1.x buffers load, missing ones are flagged
    if algo == 'odc':
        assert not bool(target.memory_bank.initialized)  # no banks in both
    if algo == 'npid':
        assert bool(target.memory_bank.initialized) == (layout == '1.x')
        if layout == '1.x':
            assert torch.equal(target.memory_bank.feature_bank,
                               ours['memory_bank.feature_bank'])
    if algo in ('deepcluster', 'odc'):
        want = ours['loss_weight'] if layout == '1.x' else torch.full(
            (4, ), 0.25)
        assert torch.equal(target.loss_weight, want)
    # the feature-extraction path gives the features of the model whose
    # weights were set directly
    dataset = _Images()
    got = extract_features(target, _loader(dataset))
    want = extract_features(source, _loader(dataset))
    assert torch.equal(got, want)
    if algo == 'deepcluster':
        # ... and those of MMSelfSup's forward: Sobel layer on the
        # normalised image, then the backbone
        x = (dataset.images.float() - 72.9) / 90.0
        sobel = reference_sobel()
        x = F.conv2d(F.conv2d(x, sobel['0.weight']), sobel['1.weight'],
                     padding=1)
        ref = source.backbone(x)[-1].mean(dim=(2, 3))
        assert torch.allclose(got, ref, atol=1e-4)


@pytest.mark.parametrize('layout', LAYOUTS)
def test_knn_extraction_model_loads_sobel_checkpoints(layout, tmp_path):
    """kNN builds the model from a config and loads the backbone only."""
    from mmengine.config import Config
    source = randomize(MODELS.build(model_cfg('deepcluster')), 0).eval()
    path = save_reference(
        tmp_path / 'ref.pth', layout,
        reference_state('deepcluster', layout, source.state_dict()))
    model = build_model_for_extraction(
        Config(dict(model=model_cfg('deepcluster'))), path)
    dataset = _Images()
    assert torch.equal(extract_features(model, _loader(dataset)),
                       extract_features(source, _loader(dataset)))


# ------------------------------------------------------------ load_from
class _Probe(Hook):
    """Records the model state when ``before_train`` reaches it."""

    def __init__(self):
        self.state = None

    def before_train(self, runner):
        self.state = {k: v.clone()
                      for k, v in runner.model.state_dict().items()}
        memory = getattr(runner.model, 'memory_bank', None)
        self.initialized = None if memory is None else bool(
            memory.initialized)


def _runner_cfg(algo, data_root, work_dir):
    if algo in ('deepcluster', 'odc'):
        cfg = clustering_cfg(algo, data_root, work_dir, max_epochs=1)
        cfg.train_dataloader.batch_size = 32  # 2 iterations
        return cfg
    config = dict(
        npid='configs/npid/npid_resnet18-cifar-w16_1xb64-steplr-2e_'
        'fashion-mnist.py',
        relative_loc='configs/relative_loc/relative-loc_resnet18-cifar-w16_'
        '1xb32-steplr-2e_fashion-mnist-96px.py',
        rotation_pred='configs/rotation_pred/rotation-pred_resnet18-cifar-'
        'w16_1xb64-steplr-2e_fashion-mnist.py')[algo]
    cfg = tiny_cfg(config, data_root, work_dir, max_iters=2, batch_size=4)
    cfg.model.backbone.update(stem_channels=8, base_channels=8)
    if algo == 'npid':
        cfg.model.neck.in_channels = 64
        cfg.model.neg_num = 16
        cfg.model.memory_bank.length = NUM_SAMPLES
        cfg.train_dataloader.dataset.indices = NUM_SAMPLES
        # deterministic views, so the rebuilt bank can be recomputed here
        cfg.train_dataloader.dataset.pipeline = [
            dict(type='LoadImageFromFile'), dict(type='PackInputs')]
    elif algo == 'relative_loc':
        cfg.model.neck.in_channels = 64
    else:
        cfg.model.head.in_channels = 64
    cfg.log_level = 'INFO'
    return cfg


@pytest.mark.parametrize('layout', LAYOUTS)
@pytest.mark.parametrize('algo', ALGOS)
def test_load_from_trains_and_rebuilds_memory(algo, layout, fmnist_tiny,
                                              tmp_path):
    cfg = _runner_cfg(algo, fmnist_tiny, str(tmp_path / 'work'))
    # mmengine names its logger after the experiment (config name + the
    # second it started): two runs started in the same second share one
    # logger, whose file is the first run's, and this test reads the log
    cfg.experiment_name = f'{algo}_{layout}_{tmp_path.name}'
    source = randomize(MODELS.build(cfg.model), seed=0).eval()
    ours = source.state_dict()
    if algo == 'npid' and layout == '1.x':
        # a bank of another dataset (ImageNet's in the 1.x configs)
        ours['memory_bank.feature_bank'] = torch.rand(300, 8)
    path = save_reference(tmp_path / 'ref.pth', layout,
                          reference_state(algo, layout, ours))
    cfg.load_from = path
    runner = Runner.from_cfg(cfg)
    first, last = _Probe(), _Probe()
    runner.register_hook(first, priority='HIGHEST')
    runner.register_hook(last, priority='LOWEST')
    runner.train()
    assert runner.iter == 2
    for name, value in ours.items():
        if name.startswith('backbone.'):
            assert torch.equal(first.state[name], value), name
    logs = ''.join(open(f).read() for f in glob.glob(
        osp.join(cfg.work_dir, '*', '*.log')))
    if algo in ('odc', 'npid'):
        # the loaded memory was missing: flagged, logged, rebuilt
        assert first.initialized is False
        assert last.initialized is True
        assert 'marked uninitialised' in logs
    if algo == 'odc':
        memory = runner.model.memory_bank
        assert (memory.cluster_sizes() > 0).all()
        norms = memory.feature_bank.norm(dim=1)
        assert torch.allclose(norms, torch.ones_like(norms), atol=1e-4)
    if algo == 'npid':
        assert f'rebuilding it from the features of all {NUM_SAMPLES}' in logs
        # the bank holds the loaded model's features of the training set
        dataset = runner.train_dataloader.dataset
        with torch.no_grad():
            inputs = source.data_preprocessor(default_collate(
                [dataset[i] for i in range(len(dataset))]))['inputs']
            if isinstance(inputs, list):
                inputs = inputs[0]
            want = source.extract_memory_feat(inputs)
        assert torch.allclose(last.state['memory_bank.feature_bank'], want,
                              atol=1e-5)


def test_resume_of_our_checkpoint_does_not_rebuild(fmnist_tiny, tmp_path):
    """Our own NPID checkpoint holds the bank: loading it keeps the bank
    and the flag (resume itself is covered by test_npid)."""
    model = MODELS.build(model_cfg('npid'))
    randomize(model, 0)
    target = MODELS.build(model_cfg('npid'))
    target.load_state_dict(model.state_dict(), strict=True)
    assert bool(target.memory_bank.initialized)
    assert torch.equal(target.memory_bank.feature_bank,
                       model.memory_bank.feature_bank)
    odc = MODELS.build(model_cfg('odc'))
    odc.memory_bank.initialized.fill_(True)
    target = MODELS.build(model_cfg('odc'))
    target.load_state_dict(odc.state_dict(), strict=True)
    assert bool(target.memory_bank.initialized)


# --------------------------------------------- extract_backbone_weights.py
@pytest.mark.parametrize('layout', LAYOUTS)
@pytest.mark.parametrize('algo', ['deepcluster', 'odc'])
def test_extract_backbone_weights_accepts_them(algo, layout, tmp_path,
                                               capsys):
    tool = load_tool('model_converters/extract_backbone_weights.py')
    source = randomize(MODELS.build(model_cfg(algo)), seed=0)
    ours = source.state_dict()
    path = save_reference(tmp_path / 'ref.pth', layout,
                          reference_state(algo, layout, ours))
    out = str(tmp_path / 'backbone.pth')
    tool.main([path, out])
    state = torch.load(out, weights_only=True)['state_dict']
    want = {k: v for k, v in ours.items() if k.startswith('backbone.')}
    assert state.keys() == want.keys()
    for k in want:
        assert torch.equal(state[k], want[k]), k
    dropped = 'Dropped 4 tensors of the MMSelfSup Sobel layer'
    assert (dropped in capsys.readouterr().out) == (algo == 'deepcluster')


# ------------------------------------------------------------- bad input
def test_sobel_checkpoint_needs_sobel_preprocessor(tmp_path):
    source = randomize(MODELS.build(model_cfg('deepcluster')), seed=0)
    path = save_reference(
        tmp_path / 'ref.pth', '0.x',
        reference_state('deepcluster', '0.x', source.state_dict()))
    cfg = model_cfg('deepcluster')
    cfg['data_preprocessor'] = dict(mean=MEAN, std=STD)
    with pytest.raises(MMSelfSupCheckpointError,
                       match=r"Sobel-filtered input .*SelfSupDataPreprocessor"
                       r".*type='SobelDataPreprocessor'.*in_channels=2"):
        load_checkpoint(MODELS.build(cfg), path, map_location='cpu')
    # the backbone-only evaluation path checks the same
    from mmengine.config import Config
    with pytest.raises(MMSelfSupCheckpointError, match='Sobel-filtered'):
        build_model_for_extraction(Config(dict(model=cfg)), path)


def test_sobel_layer_other_than_ours_is_refused(tmp_path):
    source = randomize(MODELS.build(model_cfg('deepcluster')), seed=0)
    odd = reference_sobel(grey=(0.5, 0.25, 0.25))
    path = save_reference(
        tmp_path / 'ref.pth', '1.x',
        reference_state('deepcluster', '1.x', source.state_dict(), odd))
    with pytest.raises(MMSelfSupCheckpointError,
                       match=r'grey weights \[0.5, 0.25, 0.25\]\) differs'):
        load_checkpoint(MODELS.build(model_cfg('deepcluster')), path,
                        map_location='cpu')


def test_memory_of_another_length_is_rebuilt_not_half_loaded():
    source = randomize(MODELS.build(model_cfg('odc', length=30)), seed=0)
    source.memory_bank.initialized.fill_(True)
    target = MODELS.build(model_cfg('odc', length=NUM_SAMPLES))
    before = target.memory_bank.feature_bank.clone()
    target.load_state_dict(source.state_dict(), strict=True)
    assert not bool(target.memory_bank.initialized)
    assert torch.equal(target.memory_bank.feature_bank, before)


def test_odc_memory_missing_is_rebuilt_even_without_initial_clustering(
        fmnist_tiny, tmp_path):
    """DeepClusterHook(init_memory=True, initial=False) still rebuilds a
    memory that the loaded checkpoint lacked (here: our weights without the
    memory buffers), instead of training on an empty one."""
    cfg = clustering_cfg('odc', fmnist_tiny, str(tmp_path / 'work'),
                         max_epochs=1)
    cfg.train_dataloader.batch_size = 32
    cfg.custom_hooks[0].initial = False
    source = randomize(MODELS.build(cfg.model), seed=0)
    state = {k: v for k, v in source.state_dict().items()
             if not k.startswith('memory_bank.')}
    cfg.load_from = save_reference(tmp_path / 'weights.pth', '1.x', state)
    runner = Runner.from_cfg(cfg)
    first = _Probe()
    runner.register_hook(first, priority='HIGHEST')
    runner.train()
    assert first.initialized is False
    memory = runner.model.memory_bank
    assert bool(memory.initialized)
    assert (memory.cluster_sizes() > 0).all()


@pytest.mark.parametrize('algo', ['npid', 'odc'])
def test_resume_from_a_0x_checkpoint_is_refused(algo, fmnist_tiny,
                                                tmp_path):
    """0.x checkpoints have no message_hub / scheduler / memory state: the
    hooks refuse resume=True and name load_from as the fix."""
    cfg = _runner_cfg(algo, fmnist_tiny, str(tmp_path / 'work'))
    source = MODELS.build(cfg.model)
    state = reference_state(algo, '0.x', source.state_dict())
    cfg.load_from = save_reference(tmp_path / 'ref.pth', '0.x', state)
    cfg.resume = True
    runner = Runner.from_cfg(cfg)
    with pytest.raises(MMSelfSupCheckpointError,
                       match=r'no message_hub.*load_from=<checkpoint> with '
                       r'resume=False'):
        runner.train()
    assert runner.iter == 0


def test_rgb_checkpoint_into_sobel_model_is_refused(tmp_path):
    """A 0.x DeepCluster trained with with_sobel=False (conv1 on RGB) into
    our Sobel model: a non-strict load_from would only warn."""
    rgb = model_cfg('deepcluster')
    rgb['data_preprocessor'] = dict(mean=MEAN, std=STD)
    rgb['backbone'] = TINY
    source = randomize(MODELS.build(rgb), seed=0)
    state = reference_state('deepcluster', '0.x', source.state_dict())
    state = {k: v for k, v in state.items() if 'sobel' not in k}
    path = save_reference(tmp_path / 'ref.pth', '0.x', state)
    with pytest.raises(MMSelfSupCheckpointError,
                       match=r'conv1 takes 3 channels \(no Sobel layer.*'
                       r'takes 2: use a data preprocessor without Sobel.*'
                       r'in_channels=3'):
        load_checkpoint(MODELS.build(model_cfg('deepcluster')), path,
                        map_location='cpu', strict=False)
