"""Every self-supervised config mmpretrain ships, inherited the way a user
does (``_base_ = 'mmpretrain::...'``, ``custom_imports``, a CustomDataset of
one's own, no ``collate_fn`` restated), trains 2 iterations on CPU.

The inherited ``collate_fn`` carries mmengine's ``_scope_`` tag; without the
build_dataloader compat fix the first batch raises ``TypeError:
default_collate() got an unexpected keyword argument '_scope_'``. Sizes are
shrunk (narrow ResNets, 2-4 layer 64-dim transformers at the configs' own
image sizes), AMP is replaced by a plain OptimWrapper, and the target
generators that download weights (DALL-E for BEiT v1 / CAE, VQKD for BEiT v2,
CLIP for EVA / MILAN / iTPN) are small random ones of the same classes.
"""
import glob
import os.path as osp
import re

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner

import mmpretrain
import mmssl_ext  # noqa: F401
from tests.helpers import shrink_crops, tiny_cfg

MMPRETRAIN_CONFIGS = osp.join(osp.dirname(mmpretrain.__file__), '.mim',
                              'configs')
SELFSUP_TYPES = {
    'BarlowTwins', 'BEiT', 'BYOL', 'CAE', 'DenseCL', 'EVA', 'iTPN', 'MAE',
    'MaskFeat', 'MFF', 'MILAN', 'MixMIM', 'MoCo', 'MoCoV3', 'SimCLR',
    'SimMIM', 'SimSiam', 'SparK', 'SwAV'
}
VIT = dict(embed_dims=64, num_layers=4, num_heads=2, feedforward_channels=128)
DECODER = dict(decoder_embed_dim=32, decoder_depth=1, decoder_num_heads=2)


def _model_type(path: str):
    """``model.type`` of a config file, read from its text and its relative
    ``_base_`` files (parsing all ~600 configs would slow collection)."""
    text = open(path).read()
    if 'model = dict(' in text:
        head = text.split('model = dict(', 1)[1].lstrip()
        if head.startswith("type='"):
            return head[len("type='"):].split("'", 1)[0]
    for base in re.findall(r"'([^':\s]+\.py)'", text):
        found = _model_type(osp.normpath(osp.join(osp.dirname(path), base)))
        if found:
            return found
    return None


def _selfsup_configs():
    """mmpretrain's pretraining configs: model.type is a self-supervised
    algorithm (read from the files, so a new config is not missed)."""
    return [
        osp.relpath(path, MMPRETRAIN_CONFIGS) for path in sorted(
            glob.glob(osp.join(MMPRETRAIN_CONFIGS, '*', '*.py')))
        if _model_type(path) in SELFSUP_TYPES
    ]


CONFIGS = _selfsup_configs()


def test_every_selfsup_algorithm_is_covered():
    algos = {c.split('/')[0] for c in CONFIGS}
    assert {'barlowtwins', 'beit', 'beitv2', 'byol', 'cae', 'densecl', 'eva',
            'itpn', 'mae', 'maskfeat', 'mff', 'milan', 'mixmim', 'mocov2',
            'mocov3', 'simclr', 'simmim', 'simsiam', 'spark',
            'swav'} <= algos
    assert len(CONFIGS) >= 58


@pytest.fixture(scope='module', autouse=True)
def one_thread():
    """Tiny models: one intra-op thread. With two, OpenMP spin-waits make
    these kernels up to 6x slower when the cores are shared."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope='module')
def png_root(tmp_path_factory):
    """A user's own images: four 32x32 PNGs in one folder."""
    root = tmp_path_factory.mktemp('own_images')
    rng = np.random.default_rng(0)
    for i in range(4):
        cv2.imwrite(str(root / f'img{i}.png'),
                    rng.integers(0, 256, (32, 32, 3), dtype=np.uint8))
    return str(root)


@pytest.fixture(scope='module')
def tiny_clip(tmp_path_factory) -> str:
    """A random CLIP state dict (1 layer, width 64, 512-d output like
    ViT-B/16 CLIP) in the file format CLIPGenerator loads."""
    from mmpretrain.models.utils.clip_generator_helper import CLIP
    clip = CLIP(embed_dim=512, image_resolution=224, vision_layers=1,
                vision_width=64, vision_patch_size=16, context_length=2,
                vocab_size=8, transformer_width=64, transformer_heads=1,
                transformer_layers=1)
    path = str(tmp_path_factory.mktemp('clip') / 'tiny_clip.pth')
    torch.save(clip.state_dict(), path)
    return path


def _user_config(rel: str, root: str, folder) -> str:
    path = folder / 'user_config.py'
    path.write_text(
        f"_base_ = 'mmpretrain::{rel}'\n"
        "custom_imports = dict(imports=['mmssl_ext'], "
        "allow_failed_imports=False)\n"
        "train_dataloader = dict(dataset=dict(\n"
        f"    _delete_=True, type='CustomDataset', data_root='{root}',\n"
        "    data_prefix='', with_label=False))\n")
    return str(path)


def _shrink_model(model, clip_path: str) -> None:
    """Same algorithm and module types, tiny widths and depths."""
    backbone, neck, head = model.backbone, model.get('neck'), model.head
    kind = backbone.type
    if kind in ('ResNet', 'SparseResNet'):
        backbone.update(base_channels=8, stem_channels=8)  # 2048 -> 256
        if 'in_channels' in neck:  # not SparK's decoder
            neck.in_channels = 256
        if model.type == 'BarlowTwins':  # 8192-d projector -> 512-d
            neck.update(hid_channels=512, out_channels=512)
            head.in_channels = 512
    elif kind in ('SparseConvNeXt', ):
        backbone.arch = dict(depths=[1, 1, 1, 1], channels=[16, 32, 64, 128])
    elif kind in ('MAEHiViT', 'iTPNHiViT'):
        backbone.arch = dict(embed_dims=64, depths=[1, 1, 2], num_heads=2)
    elif kind == 'SimMIMSwinTransformer':
        backbone.arch = dict(embed_dims=16, depths=[1, 1, 1, 1],
                             num_heads=[1, 1, 2, 2])
        neck.in_channels = 128
    elif kind == 'MixMIMPretrainTransformer':
        backbone.arch = dict(embed_dims=16, depths=[1, 1, 1, 1],
                             num_heads=[1, 1, 2, 2])
        neck.update(embed_dim=128, **DECODER)
    else:  # plain ViTs
        backbone.arch = dict(VIT)
        if kind == 'MFFViT':
            backbone.out_indices = [0, 1, 3]
    if model.type == 'SparK':
        model.enc_dec_norm_dim = 256 if kind == 'SparseResNet' else 128
        neck.feature_dim = 64
    if model.type in ('MAE', 'MFF', 'EVA', 'iTPN') and neck.type in (
            'MAEPretrainDecoder', 'iTPNPretrainDecoder'):
        neck.embed_dim = 64
        if 'decoder_depth' in neck:
            neck.update(DECODER)
        if neck.type == 'iTPNPretrainDecoder':
            neck.fpn_dim = 32
        if head.type == 'iTPNClipHead':  # decoder width = encoder's
            neck.decoder_embed_dim = head.embed_dims = 64
    if model.type == 'MILAN':
        neck.update(embed_dim=64, **DECODER)
    if model.type == 'MoCoV3' and kind == 'MoCoV3ViT':
        neck.in_channels = 64
    if model.type == 'MaskFeat':
        neck.in_channels = 64
    if model.type == 'CAE':
        neck.update(embed_dims=64, num_heads=2, regressor_depth=1,
                    decoder_depth=1)
    if model.type == 'BEiT':
        head.embed_dims = 64
        if neck:  # BEiT v2
            neck.update(early_layers=2, num_layers=1,
                        backbone_arch=dict(VIT, depth=4))
    # target generators that download weights: small random ones
    generator = model.get('target_generator')
    if generator and generator.type == 'DALL-E':
        generator.update(n_hid=8, n_blk_per_group=1, init_cfg=None)
    elif generator and generator.type == 'VQKD':
        generator.encoder_config.arch = dict(VIT)
        generator.init_cfg = None
    elif generator and generator.type == 'CLIPGenerator':
        generator.tokenizer_path = clip_path


def _shrink_images(cfg) -> None:
    """Convnet configs train on 32 px crops (SparK: 64 px, its mask grid
    is input/32); the transformers keep their sizes, which their patch
    grids, mask generators and position embeddings are built for."""
    loader = cfg.train_dataloader
    if cfg.model.type == 'SparK':
        cfg.model.input_size = 64
        loader.dataset.pipeline = shrink_crops(loader.dataset.pipeline, 64)
    elif cfg.model.backbone.type == 'ResNet':
        loader.dataset.pipeline = shrink_crops(loader.dataset.pipeline)


@pytest.mark.parametrize('rel', CONFIGS)
def test_inherited_config_trains_two_iterations(rel, png_root, tiny_clip,
                                                tmp_path):
    path = _user_config(rel, png_root, tmp_path)
    # what used to break: the inherited collate_fn carries the scope tag
    assert Config.fromfile(path).train_dataloader.collate_fn.get(
        '_scope_') == 'mmpretrain'
    cfg = tiny_cfg(path, png_root, str(tmp_path), max_iters=2, batch_size=2)
    cfg.train_dataloader.dataset.pipeline = Config.fromfile(
        osp.join(MMPRETRAIN_CONFIGS, rel)).train_dataloader.dataset.pipeline
    if cfg.optim_wrapper.type == 'AmpOptimWrapper':  # AMP needs a GPU
        cfg.optim_wrapper.type = 'OptimWrapper'
        cfg.optim_wrapper.pop('loss_scale', None)
    cfg.log_level = 'WARNING'
    _shrink_model(cfg.model, tiny_clip)
    _shrink_images(cfg)
    runner = Runner.from_cfg(cfg)
    before = {k: v.clone() for k, v in runner.model.state_dict().items()}
    runner.train()
    assert runner.iter == 2
    after = runner.model.state_dict()
    assert any(not torch.equal(before[k], after[k]) for k in before)
