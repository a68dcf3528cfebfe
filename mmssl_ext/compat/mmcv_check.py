"""Check at import time that an mmcv 2.1.x is installed.

``mmcv-lite`` (no compiled ops) and a full ``mmcv`` build install the same
``mmcv`` package, so neither can be a hard requirement of ``setup.py``: pip
would happily install both and one would overwrite the other. We check the
installed version instead and say how to fix it.
"""
from importlib import metadata

_HINT = ('Install mmcv 2.1.x: `pip install -r requirements/mmcv-lite.txt` '
         '(no compiled ops; enough for pretraining and the classification '
         'benchmarks) or `make mmcv-full` (compiled ops, needed by the '
         'mmdet/mmseg transfer benchmarks). Never install both.')


def installed_mmcv_distributions() -> dict:
    """Return ``{distribution name: version}`` for mmcv and mmcv-lite."""
    found = {}
    for name in ('mmcv', 'mmcv-lite'):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return found


def check_mmcv() -> str:
    """Raise ImportError unless exactly one mmcv 2.1.x distribution is present.

    Returns:
        str: the installed mmcv version.
    """
    try:
        import mmcv
    except ImportError as exc:
        raise ImportError(f'mmssl_ext needs mmcv 2.1.x, but mmcv is not '
                          f'importable ({exc}). {_HINT}') from exc
    version = getattr(mmcv, '__version__', '')
    if not version.startswith('2.1.'):
        raise ImportError(f'mmssl_ext needs mmcv 2.1.x (mmdet 3.3 and mmseg '
                          f'1.2 reject >= 2.2), found mmcv {version!r}. '
                          f'{_HINT}')
    dists = installed_mmcv_distributions()
    if len(dists) > 1:
        raise ImportError(f'Both mmcv and mmcv-lite are installed ({dists}); '
                          f'they write the same files, so the result is '
                          f'undefined. `pip uninstall -y mmcv mmcv-lite`, '
                          f'then: {_HINT}')
    return version


def has_mmcv_ops() -> bool:
    """Whether mmcv's compiled extension (``mmcv._ext``) can be loaded."""
    try:
        from mmcv.utils import ext_loader
        ext_loader.load_ext('_ext', ['nms'])
    except Exception:  # noqa: BLE001 - any failure means "no ops"
        return False
    return True
