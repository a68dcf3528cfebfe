"""Check the installed mmcv at import time, and again for the transfer path.

``mmcv-lite`` (no compiled ops), a full ``mmcv`` build and ``onedl-mmcv``
(the OneDL distribution) install the same ``mmcv`` package under different
distribution names, so none of them can be a requirement of ``setup.py``: pip
would install one on top of another. We check what is installed instead.

* :func:`check_mmcv` (``import mmssl_ext``): pretraining and the
  classification benchmarks work with mmcv / mmcv-lite 2.1.x and 2.2.x and
  with onedl-mmcv 2.3.x (the versions we test), exactly one of them.
* :func:`check_transfer_mmcv` (``import mmssl_ext.transfer`` and
  ``tools/benchmarks/check_transfer_pretrain.py``): mmdet 3.3 and mmseg 1.2.2
  assert ``2.0.0rc4 <= mmcv < 2.2.0`` at import, so the detection /
  segmentation transfer path needs an upstream mmcv 2.1.x (with compiled
  ops to train; ``has_mmcv_ops``).
"""
from importlib import metadata
from typing import Dict, Optional, Tuple

#: Accepted for pretraining / classification: distribution -> [low, high).
SUPPORTED = {
    'mmcv': ('2.1.0', '2.3.0'),
    'mmcv-lite': ('2.1.0', '2.3.0'),
    'onedl-mmcv': ('2.3.0', '2.4.0'),
}
#: What mmdet 3.3 / mmseg 1.2.2 accept (their ``mmcv_maximum_version``);
#: 2.1 is the lowest we test.
TRANSFER_RANGE = ('2.1.0', '2.2.0')

_HINT = ('Install one of them: `pip install "mmcv-lite>=2.1,<2.3"` (no '
         'compiled ops; enough for pretraining and the classification '
         'benchmarks), mmcv 2.1.0 with compiled ops for the mmdet/mmseg '
         'transfer benchmarks (`make mmcv-full` in the mmssl_ext repository) '
         'or the OneDL stack (`make setup STACK=onedl`). Never more than '
         'one.')


def _version_tuple(version: str) -> Tuple[int, ...]:
    """``'2.1.0rc1+cu121'`` -> ``(2, 1, 0)`` (release part only)."""
    parts = []
    for piece in version.split('+')[0].split('.')[:3]:
        digits = ''
        for char in piece:
            if not char.isdigit():
                break
            digits += char
        parts.append(int(digits or 0))
    return tuple(parts + [0] * (3 - len(parts)))


def _in_range(version: str, bounds: Tuple[str, str]) -> bool:
    low, high = bounds
    return _version_tuple(low) <= _version_tuple(version) < \
        _version_tuple(high)


def installed_mmcv_distributions() -> Dict[str, str]:
    """Return ``{distribution name: version}`` of every mmcv flavour."""
    found = {}
    for name in SUPPORTED:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return found


def _describe(dists: Dict[str, str]) -> str:
    return ', '.join(f'{name} {version}' for name, version in dists.items())


def _installed_mmcv() -> Tuple[Optional[str], str]:
    """(distribution name or None if unknown, version) of the mmcv in use."""
    try:
        import mmcv
    except ImportError as exc:
        raise ImportError(f'mmssl_ext needs mmcv, but it is not importable '
                          f'({exc}). {_HINT}') from exc
    dists = installed_mmcv_distributions()
    if len(dists) > 1:
        raise ImportError(f'More than one mmcv distribution is installed '
                          f'({_describe(dists)}); they write the same files, '
                          f'so the result is undefined. `pip uninstall -y '
                          f'{" ".join(dists)}`, then: {_HINT}')
    version = getattr(mmcv, '__version__', '')
    if dists:
        return next(iter(dists)), version
    return None, version  # e.g. a source checkout on sys.path


def check_mmcv() -> str:
    """Raise ImportError unless exactly one supported mmcv is installed.

    Returns:
        str: the installed mmcv version.
    """
    dist, version = _installed_mmcv()
    bounds = SUPPORTED.get(dist or 'mmcv')
    if not _in_range(version, bounds):
        supported = '; '.join(f'{name} >={low},<{high}'
                              for name, (low, high) in SUPPORTED.items())
        raise ImportError(f'mmssl_ext does not support {dist or "mmcv"} '
                          f'{version!r} (supported: {supported}). {_HINT}')
    _check_no_mmdet_clash(dist or 'mmcv', version)
    return version


def _check_no_mmdet_clash(dist: str, version: str) -> None:
    """mmpretrain imports mmdet when it is installed (ResLayerExtraNorm),
    and mmdet 3.x asserts mmcv < 2.2 at import: explain instead of letting
    that AssertionError surface from inside mmpretrain."""
    if _in_range(version, TRANSFER_RANGE):
        return
    try:
        mmdet_version = metadata.version('mmdet')
    except metadata.PackageNotFoundError:
        return
    if _version_tuple(mmdet_version) < (3, 4, 0):
        raise ImportError(
            f'mmdet {mmdet_version} is installed next to {dist} {version}: '
            f'mmpretrain imports mmdet when it is present, and mmdet '
            f'{mmdet_version} rejects mmcv >= 2.2 at import. Uninstall '
            f'the transfer extras here (`pip uninstall -y mmdet '
            f'mmsegmentation`) and run transfer in an environment with mmcv '
            f'2.1 (`make setup`, `make mmcv-full`).')


def check_transfer_mmcv() -> str:
    """Raise ImportError unless the mmcv suits mmdet 3.3 / mmseg 1.2.2.

    Called on import of the transfer path only, so that pretraining and the
    classification benchmarks keep working with mmcv 2.2 and onedl-mmcv.

    Returns:
        str: the installed mmcv version.
    """
    dist, version = _installed_mmcv()
    if dist == 'onedl-mmcv' or not _in_range(version, TRANSFER_RANGE):
        low, high = TRANSFER_RANGE
        raise ImportError(
            f'The detection / segmentation transfer benchmarks run on mmdet '
            f'3.3 and mmseg 1.2.2, which need an upstream mmcv >={low},<{high}'
            f'; found {dist or "mmcv"} {version}. Use a separate environment '
            f'for transfer: `make setup` (the lock stack) and `make '
            f'mmcv-full` (mmcv 2.1.0 with compiled ops), or `pip uninstall '
            f'-y {dist or "mmcv"}` and `make mmcv-full` in this one. '
            f'Pretraining and the classification benchmarks work with '
            f'{_describe(installed_mmcv_distributions()) or "it"}.')
    return version


def has_mmcv_ops() -> bool:
    """Whether mmcv's compiled extension (``mmcv._ext``) can be loaded."""
    try:
        from mmcv.utils import ext_loader
        ext_loader.load_ext('_ext', ['nms'])
    except Exception:  # noqa: BLE001 - any failure means "no ops"
        return False
    return True
