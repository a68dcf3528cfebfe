"""BatchedAugDataPreprocessor: views, randomness, extents and bad input."""
import numpy as np
import pytest
import torch
from mmengine.logging import MessageHub
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

import mmssl_ext  # noqa: F401
from mmssl_ext.models.data_preprocessors import batched_aug_preprocessor as bap

JITTER = dict(type='ColorJitter', brightness=0.4, contrast=0.4,
              saturation=0.4, hue=0.1)
VIEW = [dict(type='RandomResizedCrop', scale=16, backend='pillow'),
        dict(type='RandomFlip', prob=0.5),
        dict(type='RandomApply', transforms=[JITTER], prob=0.8),
        dict(type='RandomGrayscale', prob=0.2, keep_channels=True,
             channel_weights=(0.114, 0.587, 0.2989)),
        dict(type='GaussianBlur', magnitude_range=(0.1, 2.0),
             magnitude_std='inf', prob=0.5),
        dict(type='Solarize', thr=128, prob=0.2)]
SMALL = [dict(type='RandomResizedCrop', scale=8,
              crop_ratio_range=(0.05, 0.14)),
         dict(type='RandomApply', transforms=[JITTER], prob=0.8)]
MEAN, STD = [123.675, 116.28, 103.53], [58.395, 57.12, 57.375]


def _build(views=None, **kw):
    views = views or dict(num_views=[2, 3], transforms=[VIEW, SMALL])
    return MODELS.build(dict(type='BatchedAugDataPreprocessor', views=views,
                             mean=MEAN, std=STD, to_rgb=True, **kw))


def _batch(n=6, h=28, w=28, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randint(0, 256, (n, 3, h, w), dtype=torch.uint8, generator=g)


def _run(pre, x, data_samples=None, iteration=None):
    if iteration is not None:
        MessageHub.get_current_instance().update_info('iter', iteration)
    return pre(dict(inputs=x, data_samples=data_samples), True)['inputs']


@pytest.fixture(autouse=True)
def _fresh_message_hub():
    hub = MessageHub.get_current_instance()
    saved = hub.runtime_info.pop('iter', None)
    yield
    hub.runtime_info.pop('iter', None)
    if saved is not None:
        hub.update_info('iter', saved)


def test_views_shapes_order_and_normalisation():
    pre = _build()
    views = _run(pre, _batch(), iteration=0)
    assert [tuple(v.shape) for v in views] == [(6, 3, 16, 16)] * 2 + [
        (6, 3, 8, 8)] * 3
    assert all(v.dtype == torch.float32 for v in views)
    # normalised with the RGB mean/std: the values lie within the range of
    # (0 - mean) / std .. (255 - mean) / std
    lo = (0 - torch.tensor(MEAN)) / torch.tensor(STD)
    hi = (255 - torch.tensor(MEAN)) / torch.tensor(STD)
    for v in views:
        assert (v.amin((0, 2, 3)) >= lo - 1e-4).all()
        assert (v.amax((0, 2, 3)) <= hi + 1e-4).all()
    # two views of the same group differ (independent parameters)
    assert not torch.allclose(views[0], views[1])


def test_channel_order_follows_to_rgb():
    """A pure-blue BGR image: with to_rgb the blue is in channel 2."""
    x = torch.zeros(2, 3, 12, 12, dtype=torch.uint8)
    x[:, 0] = 200  # B in BGR
    crop = dict(num_views=1, transforms=[[dict(type='RandomResizedCrop',
                                               scale=6)]])
    rgb = MODELS.build(dict(type='BatchedAugDataPreprocessor', views=crop,
                            to_rgb=True))
    bgr = MODELS.build(dict(type='BatchedAugDataPreprocessor', views=crop,
                            to_rgb=False))
    assert torch.allclose(_run(rgb, x, iteration=0)[0][:, 2],
                          torch.tensor(200.))
    assert torch.allclose(_run(bgr, x, iteration=0)[0][:, 0],
                          torch.tensor(200.))


def test_hue_and_grey_see_rgb():
    """Grayscale weights of the config are for BGR channels (mmcv): the
    batched op on a BGR-loaded image gives mmcv's grey value."""
    x = torch.zeros(1, 3, 8, 8, dtype=torch.uint8)
    x[:, 2] = 250  # red in BGR
    view = [dict(type='RandomResizedCrop', scale=8, crop_ratio_range=(1, 1),
                 aspect_ratio_range=(1, 1)),
            dict(type='RandomGrayscale', prob=1.0, keep_channels=True,
                 channel_weights=(0.114, 0.587, 0.2989))]
    pre = MODELS.build(dict(type='BatchedAugDataPreprocessor',
                            views=dict(num_views=1, transforms=[view])))
    out = _run(pre, x, iteration=0)[0]
    expected = np.floor(250 * 0.2989 / (0.114 + 0.587 + 0.2989))
    assert torch.allclose(out, torch.tensor(expected, dtype=torch.float32))


def test_randomness_private_reproducible_per_rank_and_iter(monkeypatch):
    pre = _build(seed=123)
    x = _batch()
    torch_state = torch.get_rng_state()
    np_state = np.random.get_state()[1].copy()
    a = _run(pre, x, iteration=5)
    assert torch.equal(torch.get_rng_state(), torch_state)
    assert np.array_equal(np.random.get_state()[1], np_state)
    b = _run(_build(seed=123), x, iteration=5)  # a resumed run at iter 5
    assert all(torch.equal(u, v) for u, v in zip(a, b))
    c = _run(pre, x, iteration=6)
    assert not torch.allclose(a[0], c[0])
    monkeypatch.setattr(bap, 'get_rank', lambda: 1)
    d = _run(_build(seed=123), x, iteration=5)
    assert not torch.allclose(a[0], d[0])
    e = _run(_build(seed=124), x, iteration=5)
    monkeypatch.undo()
    assert not torch.allclose(a[0], e[0])


def test_seed_defaults_to_torch_initial_seed():
    torch.manual_seed(77)
    a = _run(_build(), _batch(), iteration=3)
    b = _run(_build(seed=77), _batch(), iteration=3)
    assert all(torch.equal(u, v) for u, v in zip(a, b))


def test_float32_under_autocast():
    pre = _build()
    with torch.autocast('cpu', dtype=torch.bfloat16):
        views = _run(pre, _batch(), iteration=0)
    assert all(v.dtype == torch.float32 for v in views)


def test_original_extent_sets_crop_statistics():
    """A 20 x 80 original stretched to a 32 x 32 canvas: the whole-image
    crop (area 1) is impossible at aspect <= 4/3, so mmpretrain centre-crops
    a 4/3 region of the original; the view then shows only the middle of
    the original's width, i.e. the middle columns of the canvas."""
    h, w, canvas = 20, 80, 32
    cols = torch.arange(canvas, dtype=torch.float32) * 8  # column ramp
    x = cols.expand(1, 3, canvas, canvas).round().to(torch.uint8)
    view = [dict(type='RandomResizedCrop', scale=8, crop_ratio_range=(1, 1))]
    pre = MODELS.build(dict(type='BatchedAugDataPreprocessor',
                            views=dict(num_views=1, transforms=[view])))
    ds = DataSample(metainfo=dict(ori_shape=(h, w)))
    out = _run(pre, x, [ds], iteration=0)[0][0, 0]
    # fallback box: height 20, width round(20 * 4/3) = 27, left (80-27)//2
    left, width = (80 - 27) // 2, 27
    lo, hi = left / w * canvas * 8, (left + width) / w * canvas * 8
    assert lo - 8 <= out.min() and out.max() <= hi + 8
    # without the extent (square original) the view spans the whole ramp
    whole = _run(pre, x, None, iteration=0)[0][0, 0]
    assert whole.max() - whole.min() > 2 * (out.max() - out.min())


def test_eval_path_only_normalises():
    pre = _build()
    x = _batch()
    out = pre(dict(inputs=x, data_samples=None), False)['inputs']
    ref = (x[:, [2, 1, 0]].float() - torch.tensor(MEAN).view(1, 3, 1, 1)) \
        / torch.tensor(STD).view(1, 3, 1, 1)
    assert torch.allclose(out, ref)


def test_list_input_same_size_is_stacked():
    pre = _build()
    x = _batch()
    a = _run(pre, list(x), iteration=1)
    b = _run(_build(), x, iteration=1)
    assert all(torch.equal(u, v) for u, v in zip(a, b))


# ------------------------------------------------------------- bad input
def test_error_images_of_different_sizes():
    pre = _build()
    imgs = [_batch(1, 28, 28)[0], _batch(1, 30, 28)[0]]
    with pytest.raises(ValueError, match=r"different sizes.*Resize"):
        _run(pre, imgs, iteration=0)


def test_error_views_already_made_by_the_loader():
    pre = _build()
    with pytest.raises(ValueError, match=r'2 views per sample.*decode-only'):
        _run(pre, [_batch(), _batch()], iteration=0)


def test_error_num_views_mismatch():
    with pytest.raises(ValueError, match=r'num_views=\[2, 6\].*2 view '
                       r'pipelines.*got 1'):
        _build(dict(num_views=[2, 6], transforms=[VIEW]))


@pytest.mark.parametrize('view,match', [
    ([dict(type='RandomFlip', prob=0.5)], 'start with RandomResizedCrop'),
    (VIEW + [dict(type='RandomErasing')], "'RandomErasing'.*Remove the step"),
    ([VIEW[0], dict(type='RandomApply', transforms=[dict(type='Posterize')])],
     "'Posterize'.*inside RandomApply"),
    ([VIEW[0], dict(type='RandomGrayscale', prob=0.2)], 'keep_channels=True'),
    ([dict(type='RandomResizedCrop', scale=8, interpolation='lanczos')],
     'interpolation="bilinear" or "bicubic"'),
])
def test_error_unsupported_step_names_the_fix(view, match):
    with pytest.raises(ValueError, match=match):
        _build(dict(num_views=1, transforms=[view]))


def test_error_pipeline_with_other_random_steps():
    pipeline = [dict(type='LoadImageFromFile'),
                dict(type='RandomResizedCrop', scale=8),
                dict(type='MultiView', num_views=2, transforms=[VIEW]),
                dict(type='PackInputs')]
    with pytest.raises(ValueError, match='LoadImageFromFile, one MultiView'):
        _build(pipeline)


def test_error_device_without_an_op(monkeypatch):
    from mmssl_ext.models.data_preprocessors import batched_ops

    def missing(*args, **kwargs):
        raise NotImplementedError("aten::_conv_depthwise2d not implemented")

    monkeypatch.setattr(batched_ops, 'pil_gaussian_blur', missing)
    view = [dict(type='RandomResizedCrop', scale=8),
            dict(type='GaussianBlur', radius=1.0, prob=1.0)]
    pre = MODELS.build(dict(type='BatchedAugDataPreprocessor',
                            views=dict(num_views=1, transforms=[view])))
    with pytest.raises(NotImplementedError,
                       match=r'the GaussianBlur step needs an op that cpu does not '
                       r'have.*Remove the step'):
        _run(pre, _batch(), iteration=0)
