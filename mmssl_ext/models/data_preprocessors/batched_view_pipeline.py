"""One view of :class:`BatchedAugDataPreprocessor`: mmpretrain's per-sample
view pipeline (the ``transforms`` of a ``MultiView`` step) run on a batch.

Each step draws its random parameters for the whole batch from a private
``torch.Generator`` with the distributions of the mmpretrain/mmcv transform
of the same config (documented per step), then applies them with the
batched ops of :mod:`.batched_ops`.
"""
import contextlib
import math
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch

from . import batched_ops as ops

SUPPORTED = ('RandomResizedCrop', 'RandomFlip', 'ColorJitter',
             'RandomGrayscale', 'GaussianBlur', 'Solarize', 'RandomApply')


def _uniform(gen: torch.Generator, n: int, low: float,
             high: float) -> torch.Tensor:
    return low + (high - low) * torch.rand(n, generator=gen,
                                           dtype=torch.float64)


def _unsupported(step: dict, where: str) -> ValueError:
    return ValueError(
        f'BatchedAugDataPreprocessor cannot run {step.get("type")!r} '
        f'({where}); it runs {", ".join(SUPPORTED)} (and ignores '
        f'LoadImageFromFile/PackInputs around MultiView). Remove the step, '
        f'move it to the decode-only dataset pipeline if it is not random, '
        f'or keep the per-sample pipeline for this config.')


class _Crop:
    """mmpretrain ``RandomResizedCrop``: ``scale`` is the output size,
    ``crop_ratio_range`` the area range, the aspect ratio is log-uniform in
    ``aspect_ratio_range``; 10 (``max_attempts``) tries, then the centre
    crop. The crop is drawn in the *original* image's pixels (its extent
    comes with the batch), then mapped onto the loader's fixed-size canvas."""

    def __init__(self, cfg: dict, antialias: Optional[bool]):
        scale = cfg['scale']
        # mmpretrain passes scale[::-1] to imresize (which takes (w, h)):
        # a sequence scale is (h, w)
        self.size = ((int(scale), int(scale)) if isinstance(scale, int) else
                     (int(scale[0]), int(scale[1])))
        self.area = tuple(cfg.get('crop_ratio_range', (0.08, 1.0)))
        self.ratio = tuple(cfg.get('aspect_ratio_range', (3. / 4., 4. / 3.)))
        self.attempts = int(cfg.get('max_attempts', 10))
        self.interpolation = cfg.get('interpolation', 'bilinear')
        backend = cfg.get('backend', 'cv2')
        self.antialias = (backend == 'pillow') if antialias is None \
            else bool(antialias)
        if self.interpolation not in ('bilinear', 'bicubic'):
            raise ValueError(
                f'BatchedAugDataPreprocessor: RandomResizedCrop '
                f'interpolation="{self.interpolation}" is not supported; set '
                f'interpolation="bilinear" or "bicubic" in the view pipeline.')

    def sample(self, gen: torch.Generator, hw: torch.Tensor) -> torch.Tensor:
        """(N, 4) boxes (top, left, height, width) in original pixels.

        Args:
            hw (Tensor): (N, 2) float64 original heights and widths.
        """
        n, k = hw.shape[0], max(self.attempts, 1)
        h, w = hw[:, :1], hw[:, 1:]
        area = h * w * (self.area[0] + (self.area[1] - self.area[0]) *
                        torch.rand(n, k, generator=gen, dtype=torch.float64))
        lo, hi = math.log(self.ratio[0]), math.log(self.ratio[1])
        ratio = torch.exp(lo + (hi - lo) * torch.rand(
            n, k, generator=gen, dtype=torch.float64))
        # Python's round() (banker's rounding) as in mmpretrain
        tw = torch.round(torch.sqrt(area * ratio))
        th = torch.round(torch.sqrt(area / ratio))
        ok = (tw > 0) & (tw <= w) & (th > 0) & (th <= h)
        if self.attempts == 0:
            ok[:] = False
        first = torch.where(ok.any(1), ok.float().argmax(1),
                            torch.full((n, ), -1))
        rows = torch.arange(n)
        th, tw = th[rows, first.clamp(min=0)], tw[rows, first.clamp(min=0)]
        # randint(0, h - th + 1) as floor of a uniform
        u = torch.rand(n, 2, generator=gen, dtype=torch.float64)
        top = torch.floor(u[:, 0] * (h[:, 0] - th + 1))
        left = torch.floor(u[:, 1] * (w[:, 0] - tw + 1))
        # fallback: centre crop at the closest allowed aspect ratio
        fb = first < 0
        if fb.any():
            hh, ww = h[fb, 0], w[fb, 0]
            in_ratio = ww / hh
            rmin, rmax = min(self.ratio), max(self.ratio)
            fw = torch.where(in_ratio > rmax, torch.round(hh * rmax), ww)
            fh = torch.where(in_ratio < rmin, torch.round(ww / rmin), hh)
            th[fb], tw[fb] = fh, fw
            top[fb] = torch.floor((hh - fh) / 2)
            left[fb] = torch.floor((ww - fw) / 2)
        return torch.stack([top, left, th, tw], 1)

    def apply(self, img: torch.Tensor, boxes: torch.Tensor,
              hw: torch.Tensor, flip: Optional[torch.Tensor]) -> torch.Tensor:
        """Crop, resize (and flip) in one resampling of the canvas."""
        n, _, ch, cw = img.shape
        sy, sx = ch / hw[:, 0], cw / hw[:, 1]  # original -> canvas
        # canvas boxes in float64 on the CPU, then float32 on the device
        # (some devices have no float64)
        box = torch.stack([boxes[:, 0] * sy, boxes[:, 2] * sy,
                           boxes[:, 1] * sx, boxes[:, 3] * sx])
        box = box.to(img.device, torch.float32)
        wy = ops.resample_matrix(box[0], box[1], ch, self.size[0],
                                 self.interpolation, self.antialias)
        wx = ops.resample_matrix(box[2], box[3], cw, self.size[1],
                                 self.interpolation, self.antialias,
                                 None if flip is None else flip.to(img.device))
        return ops.crop_resize(img, wy, wx)


class _Flip:
    """mmcv ``RandomFlip``: horizontal, applied when ``rand < prob``."""

    def __init__(self, cfg: dict):
        prob = cfg.get('prob', None)
        direction = cfg.get('direction', 'horizontal')
        if isinstance(prob, (list, tuple)) or direction != 'horizontal':
            raise ValueError(
                'BatchedAugDataPreprocessor supports RandomFlip with one prob '
                'and direction="horizontal"; change the RandomFlip setting.')
        self.prob = 0.0 if prob is None else float(prob)

    def sample(self, gen: torch.Generator, n: int) -> torch.Tensor:
        return torch.rand(n, generator=gen, dtype=torch.float64) < self.prob


class _ColorJitter:
    """mmpretrain ``ColorJitter``: a random permutation of the four ops per
    image, each factor uniform in its range (ranges as ``_set_range``)."""

    def __init__(self, cfg: dict):
        self.ranges = [self._range(cfg.get('brightness', 0.), 1.),
                       self._range(cfg.get('contrast', 0.), 1.),
                       self._range(cfg.get('saturation', 0.), 1.),
                       self._range(cfg.get('hue', 0.), 0., (-0.5, 0.5))]
        self.enabled = [r is not None for r in self.ranges]

    @staticmethod
    def _range(value, centre, bound=(0., float('inf'))):
        if isinstance(value, (int, float)):
            value = (centre - float(value), centre + float(value))
        lo, hi = (min(max(float(v), bound[0]), bound[1]) for v in value)
        return None if lo == hi == centre else (lo, hi)

    def sample(self, gen, n):
        order = torch.argsort(torch.rand(n, 4, generator=gen), dim=1)
        neutral = (1., 1., 1., 0.)
        factors = torch.stack([
            _uniform(gen, n, *r) if r is not None else
            torch.full((n, ), neutral[i], dtype=torch.float64)
            for i, r in enumerate(self.ranges)], 1)
        return order, factors

    def apply(self, img, params):
        order, factors = params
        return ops.color_jitter(img, order.to(img.device),
                                factors.to(img.device, torch.float32),
                                self.enabled)


class _Grayscale:
    """mmcv ``RandomGrayscale``: applied when ``rand < prob``; weights are
    given for the stored (BGR) channels, reversed here for RGB."""

    def __init__(self, cfg: dict):
        if not cfg.get('keep_channels', False):
            raise ValueError(
                'BatchedAugDataPreprocessor: RandomGrayscale must set '
                'keep_channels=True (every view of a batch has 3 channels).')
        if cfg.get('color_format', 'bgr') != 'bgr':
            raise ValueError('BatchedAugDataPreprocessor: RandomGrayscale '
                             'supports color_format="bgr" only.')
        self.prob = float(cfg.get('prob', 0.1))
        weights = tuple(cfg.get('channel_weights', (1., 1., 1.)))
        self.weights_rgb = weights[::-1]

    def sample(self, gen, n):
        return torch.rand(n, generator=gen, dtype=torch.float64) < self.prob

    def apply(self, img, mask):
        mask = mask.to(img.device)
        return torch.where(mask.view(-1, 1, 1, 1),
                           ops.grayscale(img, self.weights_rgb), img)


def _magnitude(cfg: dict, gen: torch.Generator, n: int) -> torch.Tensor:
    """mmpretrain ``BaseAugTransform.random_magnitude`` for ``n`` draws."""
    level = float(cfg.get('magnitude_level', 10))
    std = cfg.get('magnitude_std', 0.)
    total = float(cfg.get('total_level', 10))
    if std == 'inf':
        mag = _uniform(gen, n, 0., level)
    elif float(std) > 0:
        mag = (level + float(std) * torch.randn(
            n, generator=gen, dtype=torch.float64)).clamp(0, total)
    else:
        mag = torch.full((n, ), level, dtype=torch.float64)
    lo, hi = cfg['magnitude_range']
    return mag / total * (hi - lo) + lo


class _Blur:
    """mmpretrain ``GaussianBlur`` (Pillow's): applied when
    ``rand <= prob``; radius fixed or from ``magnitude_range``."""

    def __init__(self, cfg: dict):
        self.cfg = cfg
        self.prob = float(cfg.get('prob', 0.5))

    def sample(self, gen, n):
        on = torch.rand(n, generator=gen, dtype=torch.float64) <= self.prob
        if self.cfg.get('radius') is not None:
            radius = torch.full((n, ), float(self.cfg['radius']),
                                dtype=torch.float64)
        else:
            radius = _magnitude(self.cfg, gen, n)
        return on, radius

    def apply(self, img, params):
        on, radius = params
        idx = on.nonzero().squeeze(1)
        if idx.numel():
            img = img.clone()
            dev_idx = idx.to(img.device)
            img[dev_idx] = ops.pil_gaussian_blur(img[dev_idx], radius[idx])
        return img


class _Solarize:
    """mmpretrain ``Solarize``: applied when ``rand <= prob``, threshold
    ``thr`` (fixed) or from ``magnitude_range``."""

    def __init__(self, cfg: dict):
        self.cfg = cfg
        self.prob = float(cfg.get('prob', 0.5))

    def sample(self, gen, n):
        on = torch.rand(n, generator=gen, dtype=torch.float64) <= self.prob
        if self.cfg.get('thr') is not None:
            thr = torch.full((n, ), float(self.cfg['thr']),
                             dtype=torch.float64)
        else:
            thr = _magnitude(self.cfg, gen, n)
        return on, thr

    def apply(self, img, params):
        on, thr = params
        on, thr = on.to(img.device), thr.to(img.device, torch.float32)
        return torch.where(on.view(-1, 1, 1, 1), ops.solarize(img, thr), img)


class _Apply:
    """mmcv ``RandomApply``: its transforms run when ``rand < prob``."""

    def __init__(self, cfg: dict):
        self.prob = float(cfg.get('prob', 0.5))
        inner = cfg['transforms']
        self.steps = [_build_colour_step(t, 'inside RandomApply')
                      for t in inner]

    def sample(self, gen, n):
        on = torch.rand(n, generator=gen, dtype=torch.float64) < self.prob
        return on, [s.sample(gen, n) for s in self.steps]

    def apply(self, img, params):
        on, inner = params
        idx = on.nonzero().squeeze(1)
        if not idx.numel():
            return img
        sub = img[idx.to(img.device)]
        for step, p in zip(self.steps, inner):
            sub = step.apply(sub, _select(p, idx))
        img = img.clone()
        img[idx.to(img.device)] = sub
        return img


def _select(params, idx):
    if isinstance(params, torch.Tensor):
        return params[idx]
    if isinstance(params, (tuple, list)):
        return type(params)(_select(p, idx) for p in params)
    return params


_COLOUR = {'ColorJitter': _ColorJitter, 'RandomGrayscale': _Grayscale,
           'GaussianBlur': _Blur, 'Solarize': _Solarize, 'RandomApply': _Apply}


def _build_colour_step(cfg: dict, where: str):
    kind = cfg.get('type')
    if kind not in _COLOUR:
        raise _unsupported(cfg, where)
    if kind == 'ColorJitter':
        ops.require_kornia()
    step = _COLOUR[kind](cfg)
    step.name = kind
    return step


class BatchedView:
    """A view pipeline of mmpretrain (list of transform configs) on batches.

    ``RandomResizedCrop`` must come first (it sets the output size);
    ``RandomFlip`` may be anywhere: it commutes with the other steps (all
    per-pixel or symmetric) and is folded into the crop's resampling.

    Args:
        transforms (list[dict]): the view pipeline, as in ``MultiView``.
        antialias (bool, optional): force Pillow-style antialiased
            resampling (True) or OpenCV-style (False); None follows each
            RandomResizedCrop's ``backend``. Defaults to None.
    """

    def __init__(self, transforms: Sequence[dict],
                 antialias: Optional[bool] = None):
        transforms = list(transforms)
        if not transforms or transforms[0].get('type') != 'RandomResizedCrop':
            raise ValueError(
                'BatchedAugDataPreprocessor: each view pipeline must start '
                'with RandomResizedCrop (it sets the view size); add '
                "dict(type='RandomResizedCrop', scale=...) as its first step.")
        self.crop = _Crop(transforms[0], antialias)
        self.flip = None
        self.steps = []
        for cfg in transforms[1:]:
            kind = cfg.get('type')
            if kind == 'RandomFlip':
                if self.flip is not None:
                    raise _unsupported(cfg, 'a second RandomFlip')
                self.flip = _Flip(cfg)
            else:
                self.steps.append(_build_colour_step(cfg, 'in a view'))

    @property
    def size(self) -> Tuple[int, int]:
        return self.crop.size

    def sample(self, gen: torch.Generator, hw: torch.Tensor) -> Dict:
        """Every random parameter of the view for ``len(hw)`` samples."""
        n = hw.shape[0]
        return dict(
            boxes=self.crop.sample(gen, hw),
            flip=None if self.flip is None else self.flip.sample(gen, n),
            steps=[s.sample(gen, n) for s in self.steps])

    def apply(self, img: torch.Tensor, hw: torch.Tensor,
              params: Dict) -> torch.Tensor:
        """(N, 3, H, W) RGB canvas in [0, 1] -> (N, 3, h, w) view."""
        with _device_error('RandomResizedCrop', img.device):
            out = self.crop.apply(img, params['boxes'], hw, params['flip'])
        out = out.clamp(0, 1)  # bicubic overshoot, as the 8-bit result
        for step, p in zip(self.steps, params['steps']):
            with _device_error(step.name, img.device):
                out = step.apply(out, p)
        return out


@contextlib.contextmanager
def _device_error(step: str, device: torch.device):
    """Name the step and the fix when the device lacks an op."""
    try:
        yield
    except NotImplementedError as exc:
        raise NotImplementedError(
            f'BatchedAugDataPreprocessor: the {step} step needs an op that '
            f'{device} does not have ({exc}). Remove the step from the view '
            f'pipeline, train on a device that has it, or keep the '
            f'per-sample pipeline.') from exc


def parse_views(views: Union[dict, List[dict]]) -> List[Tuple[int, list]]:
    """``[(count, transforms), ...]`` from a MultiView config or a whole
    per-sample train pipeline that contains one MultiView step."""
    if isinstance(views, (list, tuple)):
        multi = [t for t in views if t.get('type') == 'MultiView']
        others = [t for t in views if t.get('type') not in (
            'MultiView', 'LoadImageFromFile', 'PackInputs', 'Resize')]
        if len(multi) != 1 or others:
            raise ValueError(
                'BatchedAugDataPreprocessor(views=...) takes a MultiView '
                'config or a train pipeline made of LoadImageFromFile, one '
                f'MultiView and PackInputs; got steps '
                f'{[t.get("type") for t in views]}.')
        views = multi[0]
    num = views['num_views']
    pipes = views['transforms']
    num = [num] if isinstance(num, int) else list(num)
    if len(num) != len(pipes):
        raise ValueError(
            f'BatchedAugDataPreprocessor: MultiView num_views={num} needs '
            f'{len(num)} view pipelines in transforms, got {len(pipes)}; '
            f'fix num_views or transforms.')
    return [(int(k), list(p)) for k, p in zip(num, pipes)]
