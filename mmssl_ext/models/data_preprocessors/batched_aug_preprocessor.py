"""Multi-view augmentation of a whole batch on the training device.

The dataloader only decodes images (and brings them to one canvas size);
this preprocessor makes the views of mmpretrain's ``MultiView`` step for the
whole batch at once, on the model's device, with per-sample random
parameters. See docs/batched_augmentation.md.
"""
from typing import List, Optional, Union

import numpy as np
import torch
from mmengine.dist import get_rank
from mmengine.logging import MessageHub
from mmpretrain.models.utils import SelfSupDataPreprocessor
from mmpretrain.registry import MODELS

from .batched_view_pipeline import BatchedView, parse_views

_DECODE_HINT = (
    "dict(type='LoadImageFromFile'), dict(type='Resize', scale=(S, S), "
    "keep_ratio=False), dict(type='PackInputs')")


@MODELS.register_module()
class BatchedAugDataPreprocessor(SelfSupDataPreprocessor):
    """SelfSupDataPreprocessor that also runs the view pipelines, batched.

    In training, ``inputs`` is one uint8 batch ``(N, C, H, W)`` (BGR, as
    ``LoadImageFromFile`` gives it) of decoded images brought to one size;
    ``data_samples[i].ori_shape`` (packed by ``PackInputs``) is the
    original extent, so crop areas and aspect ratios are those of the
    original image even when the loader stretched it to a square canvas.
    The output is what ``SelfSupDataPreprocessor`` gives after ``MultiView``:
    ``inputs`` = a list of ``sum(num_views)`` float tensors ``(N, C, h, w)``,
    normalised, in ``MultiView`` order. Outside training (feature extraction,
    kNN) it only normalises, like its parent.

    Random parameters come from a private ``torch.Generator`` seeded from
    ``(seed, rank, iteration, call)``: independent across ranks, the same
    after a resume, and the global torch/numpy RNGs are never touched.

    Args:
        views (dict | list[dict]): the ``MultiView`` step of the per-sample
            pipeline (``num_views`` + ``transforms``), or the whole per-sample
            train pipeline containing it (``{{_base_.train_pipeline}}``).
        seed (int, optional): base seed; None takes ``torch.initial_seed()``
            at the first training batch (mmengine seeds it from
            ``randomness.seed``, the same on every rank). Defaults to None.
        antialias (bool, optional): None resamples like each
            ``RandomResizedCrop``'s backend (pillow: antialiased, cv2: not);
            True/False forces one. Defaults to None.
        input_order (str): channel order of the loaded images, 'bgr' (mmcv's
            loader) or 'rgb'. Defaults to 'bgr'.
        **kwargs: :class:`SelfSupDataPreprocessor` arguments (mean, std,
            to_rgb, ...).
    """

    def __init__(self,
                 views: Union[dict, List[dict]],
                 seed: Optional[int] = None,
                 antialias: Optional[bool] = None,
                 input_order: str = 'bgr',
                 **kwargs) -> None:
        super().__init__(**kwargs)
        if input_order not in ('bgr', 'rgb'):
            raise ValueError(f'input_order must be "bgr" or "rgb", got '
                             f'{input_order!r}.')
        self.input_order = input_order
        self.view_groups = [(count, BatchedView(pipe, antialias))
                            for count, pipe in parse_views(views)]
        self.num_views = [count for count, _ in self.view_groups]
        self.seed = seed
        self._step = 0  # fallback iteration count outside a Runner
        self._last_iter = None
        self._calls = 0

    # ----------------------------------------------------------- randomness
    def _generator(self) -> torch.Generator:
        """A fresh CPU generator for this batch, from (seed, rank, iter)."""
        if self.seed is None:
            self.seed = int(torch.initial_seed()) % (2**63)
        it = MessageHub.get_current_instance().get_info('iter')
        if it is None:
            it, self._step = self._step, self._step + 1
        if it == self._last_iter:
            self._calls += 1
        else:
            self._last_iter, self._calls = it, 0
        state = np.random.SeedSequence(
            [int(self.seed), get_rank(), int(it), self._calls])
        gen = torch.Generator()
        gen.manual_seed(int(state.generate_state(1, np.uint64)[0]) >> 1)
        return gen

    # ----------------------------------------------------------- inputs
    def _batch(self, inputs) -> torch.Tensor:
        if isinstance(inputs, (list, tuple)):
            if inputs and inputs[0].dim() == 4:
                raise ValueError(
                    f'BatchedAugDataPreprocessor got {len(inputs)} views per '
                    f'sample from the dataloader: it makes the views itself '
                    f'(num_views={self.num_views}). Replace the per-sample '
                    f'pipeline by the decode-only one: [{_DECODE_HINT}].')
            shapes = {tuple(x.shape) for x in inputs}
            if len(shapes) > 1:
                raise ValueError(
                    f'BatchedAugDataPreprocessor got images of different '
                    f'sizes {sorted(shapes)[:4]}: bring them to one canvas '
                    f'size in the dataset pipeline: [{_DECODE_HINT}] (the '
                    f'original size is kept for the crop statistics).')
            inputs = torch.stack(list(inputs))
        if inputs.dim() != 4:
            raise ValueError(
                f'BatchedAugDataPreprocessor expects a batch (N, C, H, W) of '
                f'decoded images, got shape {tuple(inputs.shape)}.')
        return inputs

    @staticmethod
    def _extents(data_samples, n: int, h: int, w: int) -> torch.Tensor:
        hw = torch.tensor([[h, w]] * n, dtype=torch.float64)
        if data_samples is not None:
            for i, ds in enumerate(data_samples):
                shape = ds.get('ori_shape', None) if hasattr(ds, 'get') \
                    else None
                if shape is not None:
                    hw[i, 0], hw[i, 1] = float(shape[0]), float(shape[1])
        return hw

    # ----------------------------------------------------------- forward
    def forward(self, data: dict, training: bool = False) -> dict:
        if not training:
            return super().forward(data, training)
        data = self.cast_data(data)
        images = self._batch(data['inputs'])
        data_samples = data.get('data_samples', None)
        n, c, h, w = images.shape
        if c != 3:
            raise ValueError(
                f'BatchedAugDataPreprocessor needs 3-channel images, got '
                f'{c}: load them with LoadImageFromFile (color_type="color").')
        hw = self._extents(data_samples, n, h, w)
        gen = self._generator()
        with torch.autocast(device_type=images.device.type, enabled=False):
            x = images.float() / 255
            if self.input_order == 'bgr':
                x = x[:, [2, 1, 0]]
            out_rgb = self._channel_conversion != (self.input_order == 'rgb')
            views = []
            for count, view in self.view_groups:
                for _ in range(count):
                    v = view.apply(x, hw, view.sample(gen, hw))
                    if not out_rgb:
                        v = v[:, [2, 1, 0]]
                    v = v * 255
                    if self._enable_normalize:
                        v = (v - self.mean) / self.std
                    views.append(v.contiguous())
        return {'inputs': views, 'data_samples': data_samples}
