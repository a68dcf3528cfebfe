"""Compat fix: mmcv 2.0-2.2's ``adjust_hue`` under numpy 2.

The bug: ``mmcv.image.photometric.adjust_hue`` shifts the hue channel by
``np.uint8(hue_factor * 255)``. numpy 1 cast the float like C does
(truncation toward zero, then modulo 256: ``int(h * 255) % 256``); numpy 2
turns the float into a Python int first and raises ``OverflowError`` for
every negative one, i.e. for about half of all draws of mmpretrain's
``ColorJitter(hue > 0)``, which is in every contrastive pipeline (MoCo,
SimCLR, BYOL, SwAV, BarlowTwins, DenseCL, ...).

Affected: mmcv / mmcv-lite 2.0.0 to 2.2.x (every release of the 2.x line)
with numpy >= 2. onedl-mmcv computes ``int(hue_factor * 255) % 256`` itself
and is left alone.

The fix runs mmcv's own function unchanged, with the hue factor wrapped in a
``float`` whose ``* 255`` yields numpy 1's ``int(h * 255) % 256`` (a Python
int in 0..255 that ``np.uint8`` accepts). Everything else (argument checks,
the cv2 and pillow paths, dtypes) stays mmcv's code. For hue factors >= 0 the
shift is the same number upstream computes, so results there are unchanged.

It is applied only where the bug is present (mmcv version in range, numpy
>= 2, and the original function really raising on a 1x1 probe image), and
rebinds every name the function is reached by: ``mmcv.adjust_hue`` (which
mmpretrain's ``ColorJitter`` calls), ``mmcv.image.adjust_hue``,
``mmcv.image.photometric.adjust_hue`` and any already imported module that
bound the original object with ``from ... import adjust_hue``.
"""
import sys
from typing import Callable, Optional

import numpy as np

__all__ = ['ORIGINAL', 'adjust_hue', 'apply', 'bug_present']

#: mmcv releases whose adjust_hue computes ``np.uint8(hue_factor * 255)``.
AFFECTED_MMCV = ('2.0.0', '2.3.0')  # [low, high)

#: The upstream function, as mmcv defines it (None if mmcv is missing).
ORIGINAL: Optional[Callable] = None
try:
    from mmcv.image import photometric as _photometric
    ORIGINAL = _photometric.adjust_hue
except ImportError:  # pragma: no cover - mmssl_ext requires mmcv
    _photometric = None


class _Numpy1HueFactor(float):
    """A hue factor for which ``np.uint8(hue_factor * 255)`` gives numpy 1's
    value: the product is ``int(h * 255) % 256``, computed in the factor's
    own type (a float32 factor multiplies in float32, as upstream did)."""

    def __new__(cls, value):
        obj = super().__new__(cls, value)
        obj.value = value
        return obj

    def __mul__(self, other):
        return int(self.value * other) % 256


def adjust_hue(img: np.ndarray,
               hue_factor: float,
               backend: Optional[str] = None) -> np.ndarray:
    """mmcv's :func:`mmcv.image.adjust_hue` with numpy 1's hue shift.

    Same arguments, checks and result as mmcv's function under numpy 1 (see
    the module docstring); only the shift ``np.uint8(hue_factor * 255)``
    becomes ``int(hue_factor * 255) % 256`` so that numpy 2 accepts it.
    """
    if isinstance(hue_factor, (int, float, np.integer, np.floating)) \
            and not isinstance(hue_factor, bool):
        hue_factor = _Numpy1HueFactor(hue_factor)
    return ORIGINAL(img, hue_factor, backend)


def _mmcv_version_affected() -> bool:
    import mmcv
    from mmengine.utils import digit_version
    version = getattr(mmcv, '__version__', '0')
    low, high = AFFECTED_MMCV
    try:
        return digit_version(low) <= digit_version(version) < \
            digit_version(high)
    except Exception:  # noqa: BLE001 - unparsable version: not ours to fix
        return False


def bug_present() -> bool:
    """Whether the installed mmcv + numpy have the bug (checked by calling
    the original function on a 1x1 image with hue factor -0.1)."""
    if ORIGINAL is None or int(np.__version__.split('.')[0]) < 2:
        return False
    if not _mmcv_version_affected():
        return False
    probe = np.array([[[0, 0, 255]]], dtype=np.uint8)
    try:
        ORIGINAL(probe, -0.1, backend='cv2')
    except OverflowError:
        return True
    return False


def _rebind(old: Callable, new: Callable) -> None:
    import mmcv
    import mmcv.image
    for module in (mmcv, mmcv.image, _photometric):
        setattr(module, 'adjust_hue', new)
    # modules that did `from mmcv(.image) import adjust_hue` before us
    for module in list(sys.modules.values()):
        namespace = getattr(module, '__dict__', None)
        if isinstance(namespace, dict) and \
                namespace.get('adjust_hue') is old:
            namespace['adjust_hue'] = new


def apply() -> bool:
    """Install the fix if the bug is present (idempotent).

    Returns:
        bool: whether the fix is active.
    """
    if _photometric is None:
        return False
    if _photometric.adjust_hue is adjust_hue:
        return True
    if _photometric.adjust_hue is not ORIGINAL or not bug_present():
        return False
    _rebind(ORIGINAL, adjust_hue)
    return True
