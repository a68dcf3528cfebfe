"""Batched image operations of :class:`BatchedAugDataPreprocessor`.

Every function takes a float32 batch ``(N, C, H, W)`` and per-sample
parameters (tensors with a leading ``N``), and reproduces the per-sample op
that mmpretrain's pipeline runs through mmcv / Pillow (see
docs/batched_augmentation.md for the measured differences). Colour images are
RGB with values in ``[0, 1]``; the colour ops are kornia's PIL-aligned ones
(those behind ``kornia.augmentation.ColorJitter``), called with our own
per-sample factors.
"""
import math
from typing import Optional, Sequence

import torch
import torch.nn.functional as F

try:
    from kornia import enhance as _enhance
except ImportError:  # pragma: no cover - reported when a view needs colour
    _enhance = None


def require_kornia() -> None:
    """Raise a readable error if kornia (colour ops) is not installed."""
    if _enhance is None:
        raise ImportError(
            'BatchedAugDataPreprocessor needs kornia for its colour ops: '
            '`pip install "kornia>=0.9"` (or keep the per-sample pipeline).')


# ---------------------------------------------------------------- resampling
def _triangle(x: torch.Tensor) -> torch.Tensor:
    return (1 - x.abs()).clamp(min=0)


def _cubic(x: torch.Tensor, a: float) -> torch.Tensor:
    x = x.abs()
    near = ((a + 2) * x - (a + 3)) * x * x + 1
    far = ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
    return torch.where(x < 1, near, torch.where(x < 2, far,
                                                torch.zeros_like(x)))


#: interpolation -> (kernel support, kernel) for Pillow; cv2's bicubic uses
#: a = -0.75, Pillow's a = -0.5.
_PIL_KERNELS = {
    'bilinear': (1.0, _triangle),
    'bicubic': (2.0, lambda x: _cubic(x, -0.5)),
}


def resample_matrix(start: torch.Tensor, length: torch.Tensor, in_size: int,
                    out_size: int, interpolation: str = 'bilinear',
                    antialias: bool = False,
                    flip: Optional[torch.Tensor] = None) -> torch.Tensor:
    """One axis of crop + resize (+ flip) as a ``(N, out, in)`` matrix.

    The crop of sample ``n`` covers ``[start[n], start[n] + length[n])`` in
    input pixels (pixel ``j`` spans ``[j, j + 1)``); only pixels inside it
    contribute, as after ``mmcv.imcrop``.

    - ``antialias=True`` is Pillow's ``Image.resize``: the kernel is
      stretched by the downscaling factor (an antialiasing filter) and the
      taps are normalised to sum to 1 within the crop.
    - ``antialias=False`` is OpenCV's ``cv2.resize`` (INTER_LINEAR /
      INTER_CUBIC): source coordinate ``(i + 0.5) * scale - 0.5``, 2 or 4
      taps, indices clamped to the crop (border replicate). OpenCV switches
      INTER_LINEAR to INTER_AREA for an exact 2x2 downscale; this does not.

    Args:
        start (Tensor): (N,) crop start.
        length (Tensor): (N,) crop length.
        in_size (int): input extent along this axis.
        out_size (int): output extent.
        interpolation (str): 'bilinear' or 'bicubic'.
        antialias (bool): Pillow (True) or OpenCV (False) semantics.
        flip (Tensor, optional): (N,) bool, reverse the output of a sample.

    Returns:
        Tensor: (N, out_size, in_size) float32 weights on ``start``'s device.
    """
    if interpolation not in _PIL_KERNELS:
        raise ValueError(
            f'BatchedAugDataPreprocessor resamples with "bilinear" or '
            f'"bicubic", not interpolation="{interpolation}": change the '
            f'RandomResizedCrop setting or keep the per-sample pipeline.')
    dev, dt = start.device, torch.float32
    start, length = start.to(dt), length.to(dt)
    scale = (length / out_size)[:, None, None]  # (N, 1, 1)
    i = torch.arange(out_size, dtype=dt, device=dev)[None, :, None]
    j = torch.arange(in_size, dtype=dt, device=dev)[None, None, :]
    s0 = start[:, None, None]
    if antialias:
        support, kernel = _PIL_KERNELS[interpolation]
        fscale = scale.clamp(min=1.0)
        centre = s0 + (i + 0.5) * scale
        w = kernel((j + 0.5 - centre) / fscale)
        inside = (j + 0.5 > s0) & (j + 0.5 < s0 + length[:, None, None])
        w = w * inside
        w = w / w.sum(-1, keepdim=True).clamp(min=1e-12)
    else:
        lo = torch.ceil(s0 - 0.5)
        hi = torch.maximum(torch.floor(s0 + length[:, None, None] - 0.5), lo)
        src = s0 + (i + 0.5) * scale - 0.5  # (N, out, 1)
        base = torch.floor(src)
        frac = src - base
        if interpolation == 'bilinear':
            taps = [(0, 1 - frac), (1, frac)]
        else:
            taps = [(k, _cubic(frac - k, -0.75)) for k in (-1, 0, 1, 2)]
        w = torch.zeros(start.shape[0], out_size, in_size, dtype=dt,
                        device=dev)
        for offset, weight in taps:
            idx = torch.minimum(torch.maximum(base + offset, lo), hi)
            w = w + weight * (j == idx)
    if flip is not None:
        w = torch.where(flip[:, None, None], w.flip(1), w)
    return w


def crop_resize(img: torch.Tensor, wy: torch.Tensor,
                wx: torch.Tensor) -> torch.Tensor:
    """Apply separable resampling matrices: ``wy @ img @ wx^T`` per sample.

    Args:
        img (Tensor): (N, C, H, W) float32.
        wy (Tensor): (N, h, H) weights; wx (Tensor): (N, w, W) weights.

    Returns:
        Tensor: (N, C, h, w).
    """
    wy = wy.to(img.dtype).unsqueeze(1)
    wx = wx.to(img.dtype).transpose(1, 2).unsqueeze(1)
    # contract the larger reduction first on the smaller intermediate
    return torch.matmul(wy, torch.matmul(img, wx))


# ---------------------------------------------------------------- colour
def color_jitter(img: torch.Tensor, order: torch.Tensor,
                 factors: torch.Tensor,
                 enabled: Sequence[bool]) -> torch.Tensor:
    """ColorJitter with a per-sample order of its four ops.

    Args:
        img (Tensor): (N, 3, H, W) RGB in [0, 1].
        order (Tensor): (N, 4) long, a permutation of (brightness, contrast,
            saturation, hue) per sample, as ``np.random.permutation(4)``.
        factors (Tensor): (N, 4) brightness, contrast, saturation factors and
            the hue shift in turns ([-0.5, 0.5]; truncated to 1/255 turns as
            mmcv does).
        enabled (Sequence[bool]): which of the four ops the config sets.

    Returns:
        Tensor: (N, 3, H, W).
    """
    require_kornia()
    ops = (_enhance.adjust_brightness_accumulative,
           _enhance.adjust_contrast_with_mean_subtraction,
           _enhance.adjust_saturation_with_gray_subtraction,
           lambda x, f: _enhance.adjust_hue(x, f * (2 * math.pi)))
    img = img.clone()
    factors = factors.to(img.dtype).clone()
    # mmcv shifts Pillow's 8-bit hue channel by np.uint8(hue * 255): the
    # shift is truncated to whole 1/255 turns
    factors[:, 3] = torch.trunc(factors[:, 3] * 255) / 255
    # position k of every sample's order: each op runs on the samples that
    # have it there, so the work is 4 ops per image whatever the orders.
    for k in range(4):
        for op in range(4):
            if not enabled[op]:
                continue
            idx = (order[:, k] == op).nonzero().squeeze(1)
            if idx.numel():
                img[idx] = ops[op](img[idx], factors[idx, op])
    return img.clamp_(0, 1)


def grayscale(img: torch.Tensor, weights: Sequence[float]) -> torch.Tensor:
    """mmcv's RandomGrayscale (keep_channels=True) on RGB images.

    Args:
        img (Tensor): (N, 3, H, W) RGB in [0, 1].
        weights (Sequence[float]): the per-channel weights in RGB order
            (normalised here, as mmcv does).

    Returns:
        Tensor: (N, 3, H, W); the 8-bit truncation of mmcv is reproduced.
    """
    w = img.new_tensor(weights)
    w = (w / w.sum()).view(1, 3, 1, 1)
    grey = (img * w).sum(1, keepdim=True)
    grey = torch.floor(grey * 255 + 1e-3) / 255
    return grey.expand_as(img).contiguous()


def pil_box_radius(radius: torch.Tensor, passes: int = 3) -> torch.Tensor:
    """Pillow's box radius whose ``passes`` box blurs approximate a Gaussian
    of standard deviation ``radius`` (``ImageFilter.GaussianBlur``)."""
    sigma2 = radius * radius / passes
    big_l = torch.sqrt(12.0 * sigma2 + 1.0)
    small_l = torch.floor((big_l - 1.0) / 2.0)
    a = (2 * small_l + 1) * (small_l * (small_l + 1) - 3 * sigma2)
    a = a / (6 * (sigma2 - (small_l + 1) ** 2))
    return small_l + a


def pil_gaussian_blur(img: torch.Tensor, radius: torch.Tensor,
                      passes: int = 3) -> torch.Tensor:
    """Pillow's GaussianBlur (what mmpretrain's GaussianBlur calls).

    Pillow approximates the Gaussian by ``passes`` extended box blurs per
    axis (fractional box radius, edge pixels replicated); this runs the same
    box blurs as depthwise convolutions with a kernel per sample.

    Args:
        img (Tensor): (N, C, H, W).
        radius (Tensor): (N,) Gaussian standard deviations (PIL's radius),
            on any device.

    Returns:
        Tensor: (N, C, H, W).
    """
    n, c, h, w = img.shape
    # the per-sample kernels are built on the CPU in float64 (tiny), then
    # moved: no device sync, and devices without float64 work
    r = pil_box_radius(radius.detach().to('cpu', torch.float64), passes)
    ell = torch.floor(r)
    half = int(ell.max().item()) + 1
    d = torch.arange(-half, half + 1, dtype=torch.float64).abs()[None]
    norm = (2 * r + 1)[:, None]
    kern = torch.where(d <= ell[:, None], 1.0 / norm,
                       torch.where(d == ell[:, None] + 1,
                                   (r - ell)[:, None] / norm,
                                   torch.zeros_like(norm)))
    kern = kern.to(img.device, img.dtype).repeat_interleave(c, 0)  # (NC, K)
    x = img.reshape(1, n * c, h, w)
    kx = kern[:, None, None, :]
    ky = kern[:, None, :, None]
    for _ in range(passes):
        x = F.conv2d(F.pad(x, (half, half, 0, 0), mode='replicate'), kx,
                     groups=n * c)
    for _ in range(passes):
        x = F.conv2d(F.pad(x, (0, 0, half, half), mode='replicate'), ky,
                     groups=n * c)
    return x.reshape(n, c, h, w)


def solarize(img: torch.Tensor, thr: torch.Tensor) -> torch.Tensor:
    """mmcv.solarize on [0, 1] images: invert values at or above ``thr``.

    Args:
        img (Tensor): (N, C, H, W) in [0, 1].
        thr (Tensor): (N,) thresholds on the 0-255 scale.
    """
    return torch.where(img * 255 < thr.to(img.dtype).view(-1, 1, 1, 1), img,
                       1 - img)
