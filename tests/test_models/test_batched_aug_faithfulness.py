"""BatchedAugDataPreprocessor is faithful to the per-sample pipeline.

1. Parameter distributions: our batched draws against mmpretrain's/mmcv's own
   transforms of the same config, over many draws (two-sample KS tests and
   frequencies).
2. Fixed parameters: each batched op against mmcv's/Pillow's op on the same
   image, within the tolerances stated in docs/batched_augmentation.md.
"""
import math

import mmcv
import numpy as np
import pytest
import torch
from mmcv.transforms import RandomApply, RandomFlip, RandomGrayscale
from mmpretrain.datasets.transforms import (ColorJitter, GaussianBlur,
                                            RandomResizedCrop, Solarize)
from PIL import Image, ImageFilter
from scipy import stats

import mmssl_ext  # noqa: F401
from mmssl_ext.models.data_preprocessors import batched_ops as ops
from mmssl_ext.models.data_preprocessors.batched_view_pipeline import \
    BatchedView

N = 4000  # draws per distribution test
P_MIN = 1e-3  # KS p-value below which the distributions differ


def _gen(seed=0):
    g = torch.Generator()
    g.manual_seed(seed)
    return g


def _ks_same(a, b):
    p = stats.ks_2samp(np.asarray(a, float), np.asarray(b, float)).pvalue
    assert p > P_MIN, f'KS p={p:.2e}: distributions differ'


def _freq_close(ours, p, n=N):
    """Observed frequency within 4.5 sigma of the configured probability."""
    sigma = math.sqrt(max(p * (1 - p), 1e-12) / n)
    assert abs(float(ours) - p) <= 4.5 * sigma + 1e-12, (ours, p)


# ------------------------------------------------------------ distributions
@pytest.mark.parametrize('hw,area,ratio', [
    ((28, 28), (0.2, 1.0), (3 / 4, 4 / 3)),
    ((30, 50), (0.08, 1.0), (3 / 4, 4 / 3)),  # non-square original
    ((10, 40), (0.6, 1.0), (3 / 4, 4 / 3)),  # frequent centre-crop fallback
    ((28, 28), (0.05, 0.14), (3 / 4, 4 / 3)),  # SwAV small crops
])
def test_random_resized_crop_distribution(hw, area, ratio):
    h, w = hw
    ref_t = RandomResizedCrop(scale=16, crop_ratio_range=area,
                              aspect_ratio_range=ratio)
    np.random.seed(0)
    img = np.zeros((h, w, 3), np.uint8)
    ref = np.array([ref_t.rand_crop_params(img)
                    for _ in range(N)], float)  # (top, left, th, tw)
    view = BatchedView([dict(type='RandomResizedCrop', scale=16,
                             crop_ratio_range=area,
                             aspect_ratio_range=ratio)])
    hw_t = torch.tensor([[h, w]] * N, dtype=torch.float64)
    ours = view.crop.sample(_gen(), hw_t).numpy()
    for col in range(4):  # top, left, height, width
        _ks_same(ours[:, col], ref[:, col])
    _ks_same(ours[:, 2] * ours[:, 3], ref[:, 2] * ref[:, 3])  # area
    _ks_same(ours[:, 3] / ours[:, 2], ref[:, 3] / ref[:, 2])  # ratio
    # the fallback (whole image / centre crop) is as frequent
    full = lambda b: np.mean((b[:, 2] == h) & (b[:, 3] == w))  # noqa: E731
    _freq_close(full(ours), full(ref))
    assert (ours[:, 0] + ours[:, 2] <= h).all()
    assert (ours[:, 1] + ours[:, 3] <= w).all()


def test_color_jitter_distribution():
    cfg = dict(brightness=0.4, contrast=0.3, saturation=(0.5, 1.7), hue=0.1)
    ref_t = ColorJitter(**cfg)
    np.random.seed(1)
    ref = [ref_t._rand_params() for _ in range(N)]
    view = BatchedView([dict(type='RandomResizedCrop', scale=8),
                        dict(type='ColorJitter', **cfg)])
    order, factors = view.steps[0].sample(_gen(1), N)
    for i in range(4):
        _ks_same(factors[:, i].numpy(), [r[i + 1] for r in ref])
    # P(op j at position k) = 1/4 in both; compare the 4x4 tables
    ref_pos = np.zeros((4, 4))
    ours_pos = np.zeros((4, 4))
    for r in ref:
        ref_pos[np.arange(4), r[0]] += 1
    for o in order.numpy():
        ours_pos[np.arange(4), o] += 1
    for k in range(4):
        for j in range(4):
            _freq_close(ours_pos[k, j] / N, 0.25)
            _freq_close(ref_pos[k, j] / N, 0.25)
    # whole permutations: 24 equally likely ones
    perms = {tuple(o) for o in order.numpy().tolist()}
    assert len(perms) == 24


def test_probabilities_and_magnitudes_match_mmcv():
    """BYOL's second view: flip 0.5, jitter 0.8, grey 0.2, blur 0.1 with
    radius U(0.1, 2), solarize 0.2; frequencies from mmcv's transforms."""
    jitter = dict(type='ColorJitter', brightness=0.4, contrast=0.4,
                  saturation=0.2, hue=0.1)
    blur = dict(type='GaussianBlur', magnitude_range=(0.1, 2.0),
                magnitude_std='inf', prob=0.1)
    pipe = [dict(type='RandomResizedCrop', scale=8),
            dict(type='RandomFlip', prob=0.5),
            dict(type='RandomApply', transforms=[jitter], prob=0.8),
            dict(type='RandomGrayscale', prob=0.2, keep_channels=True,
                 channel_weights=(0.114, 0.587, 0.2989)),
            blur, dict(type='Solarize', thr=128, prob=0.2)]
    view = BatchedView(pipe)
    p = view.sample(_gen(2), torch.tensor([[16, 16]] * N,
                                          dtype=torch.float64))
    (apply_on, _), grey, (blur_on, radius), (sol_on, thr) = p['steps']

    np.random.seed(2)
    flip_t = RandomFlip(prob=0.5)
    apply_t = RandomApply([dict(type='RandomFlip', prob=0.5)], prob=0.8)
    grey_t = RandomGrayscale(prob=0.2)
    blur_t = GaussianBlur(magnitude_range=(0.1, 2.0), magnitude_std='inf',
                          prob=0.1)
    sol_t = Solarize(thr=128, prob=0.2)
    ref_flip = np.mean([flip_t._choose_direction() is not None
                        for _ in range(N)])
    ref_apply = np.mean([apply_t.random_apply() for _ in range(N)])
    ref_grey = np.mean([grey_t._random_prob() < 0.2
                        for _ in range(N)])
    ref_blur = np.mean([not blur_t.random_disable() for _ in range(N)])
    ref_sol = np.mean([not sol_t.random_disable() for _ in range(N)])
    ref_radius = [blur_t.random_magnitude() for _ in range(N)]
    for ours, ref, prob in [(p['flip'], ref_flip, 0.5),
                            (apply_on, ref_apply, 0.8), (grey, ref_grey, 0.2),
                            (blur_on, ref_blur, 0.1), (sol_on, ref_sol, 0.2)]:
        _freq_close(ours.double().mean(), prob)
        _freq_close(ref, prob)
    _ks_same(radius.numpy(), ref_radius)
    assert torch.all(thr == 128)


# ------------------------------------------------------------ fixed params
@pytest.fixture(scope='module')
def image():
    """A smooth colour image (37 x 45, BGR uint8) with sharp-ish detail."""
    rng = np.random.default_rng(0)
    base = rng.integers(0, 256, (12, 16, 3)).astype(np.uint8)
    return mmcv.imresize(base, (45, 37), interpolation='bicubic')


def _t(img):  # BGR HWC uint8 -> RGB (1, 3, H, W) in [0, 1]
    return torch.from_numpy(img[..., ::-1].copy()).permute(
        2, 0, 1)[None].float() / 255


def _np(t):  # inverse of _t, float 0-255 BGR
    return t[0].permute(1, 2, 0).numpy()[..., ::-1] * 255


def _diff(ours, ref, max_tol, mean_tol):
    d = np.abs(_np(ours) - ref.astype(np.float64))
    assert d.max() <= max_tol and d.mean() <= mean_tol, (d.max(), d.mean())


@pytest.mark.parametrize('backend', ['cv2', 'pillow'])
@pytest.mark.parametrize('interpolation', ['bilinear', 'bicubic'])
@pytest.mark.parametrize('box,out', [
    ((3, 5, 20, 30), (40, 48)),  # upscale
    ((2, 1, 33, 41), (16, 16)),  # downscale: Pillow antialiases
    ((0, 0, 37, 45), (13, 11)),  # whole image, strong downscale
])
def test_crop_resize_flip_match_mmcv(image, backend, interpolation, box, out):
    top, left, th, tw = box
    crop = mmcv.imcrop(image, np.array([left, top, left + tw - 1,
                                        top + th - 1]))
    ref = mmcv.imresize(crop, (out[1], out[0]), interpolation=interpolation,
                        backend=backend)
    aa = backend == 'pillow'
    f64 = lambda v: torch.tensor([float(v)], dtype=torch.float64)  # noqa
    h, w = image.shape[:2]
    wy = ops.resample_matrix(f64(top), f64(th), h, out[0], interpolation, aa)
    for flip in (False, True):
        wx = ops.resample_matrix(f64(left), f64(tw), w, out[1],
                                 interpolation, aa, torch.tensor([flip]))
        ours = ops.crop_resize(_t(image), wy, wx).clamp(0, 1)
        expected = mmcv.imflip(ref) if flip else ref
        # 8-bit rounding of each pass (Pillow also clips bicubic overshoot
        # between its horizontal and vertical pass)
        max_tol = 4.0 if (aa and interpolation == "bicubic") else 1.01
        _diff(ours, expected, max_tol, 0.35)


def _jitter(x, order, b=1., c=1., s=1., h=0.):
    enabled = [b != 1, c != 1, s != 1, h != 0]
    return ops.color_jitter(x, torch.tensor([order]),
                            torch.tensor([[b, c, s, h]]), enabled)


@pytest.mark.parametrize('op,factor,max_tol,mean_tol', [
    ('brightness', 0.6, 1.0, 0.5), ('brightness', 1.4, 1.0, 0.5),
    ('contrast', 0.6, 1.0, 0.5), ('contrast', 1.4, 1.0, 0.5),
    ('saturation', 0.6, 1.3, 0.5), ('saturation', 1.7, 1.3, 0.5),
    ('hue', -0.1, 12.0, 0.8), ('hue', 0.05, 12.0, 0.8),
    ('hue', 0.3, 12.0, 0.8),
])
def test_color_ops_match_mmcv_pillow(image, op, factor, max_tol, mean_tol):
    ref = {'brightness': mmcv.adjust_brightness,
           'contrast': mmcv.adjust_contrast, 'saturation': mmcv.adjust_color,
           'hue': mmcv.adjust_hue}[op](image, factor, backend='pillow')
    kw = {'brightness': 'b', 'contrast': 'c', 'saturation': 's',
          'hue': 'h'}[op]
    _diff(_jitter(_t(image), [0, 1, 2, 3], **{kw: factor}), ref, max_tol,
          mean_tol)


def test_color_jitter_order_matches_mmpretrain(image):
    """A whole ColorJitter with a given order, against mmpretrain's."""
    t = ColorJitter(brightness=0.4, contrast=0.4, saturation=0.4, hue=0.1)
    params = (np.array([2, 0, 3, 1]), 1.3, 0.7, 1.35, -0.08)
    t._rand_params = lambda: params
    ref = t.transform(dict(img=image.copy()))['img']
    ours = _jitter(_t(image), [2, 0, 3, 1], 1.3, 0.7, 1.35, -0.08)
    _diff(ours, ref, 8.0, 1.5)
    # a different order gives a measurably different image
    other = _jitter(_t(image), [3, 1, 2, 0], 1.3, 0.7, 1.35, -0.08)
    assert np.abs(_np(other) - _np(ours)).mean() > 0.3


def test_grayscale_solarize_blur_match(image):
    w = (0.114, 0.587, 0.2989)
    t = RandomGrayscale(prob=1.0, keep_channels=True, channel_weights=w)
    ref = t.transform(dict(img=image.copy()))['img']
    _diff(ops.grayscale(_t(image), w[::-1]), ref, 1.0, 0.01)
    _diff(ops.solarize(_t(image), torch.tensor([128.])),
          mmcv.solarize(image, 128), 1e-3, 1e-3)
    for r in (0.1, 0.5, 1.0, 2.0):
        ref = np.array(Image.fromarray(image).filter(
            ImageFilter.GaussianBlur(radius=r)))
        _diff(ops.pil_gaussian_blur(_t(image), torch.tensor([r])), ref,
              3.0, 0.8)
