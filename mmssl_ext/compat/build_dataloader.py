"""Compat fix: ``Runner.build_dataloader`` and the ``_scope_`` key.

The bug: a config that inherits with ``_base_ = 'mmpretrain::...'`` gets every
inherited dict that has a ``type`` tagged with ``_scope_='mmpretrain'``,
including ``train_dataloader.collate_fn``. Registries pop that key when they
build an object, but mmengine's ``Runner.build_dataloader`` (and
``FlexibleRunner``'s copy of it) builds the collate function itself as
``partial(fn, **cfg)``, so the key reaches the function at the first batch:
``TypeError: default_collate() got an unexpected keyword argument '_scope_'``.
Restating ``collate_fn`` in the child config keeps the key unless
``_delete_=True`` is given. The same holds for ``worker_init_fn``.

Affected: mmengine 0.8.0 to 0.10.x (OpenMMLab's last release 0.10.7 and
onedl-mmengine 0.10.12 included). No registry-level fix exists, because the
registry is bypassed.

The fix wraps ``build_dataloader`` (a static method) of each class that has
the bug (checked by building a probe loader): the config is passed on with
``_scope_`` removed from ``collate_fn`` / ``worker_init_fn`` and their
``type`` looked up in that scope (what a registry does with ``_scope_``);
everything else is mmengine's code. Configs without the key are passed on
untouched.

The same wrapper carries the other compat fixes into DataLoader workers:
a worker started by ``spawn`` or ``forkserver`` (the default start method
from Python 3.14 on) re-imports modules and would run mmcv's unfixed code.
When another fix is active, the loader's ``worker_init_fn`` is wrapped in
:class:`CompatWorkerInit`, which lives in this package, so unpickling it in
the worker imports ``mmssl_ext`` and applies the fixes before the first
sample is loaded.
"""
import functools
from typing import Callable, Dict, Optional

from mmengine.registry import FUNCTIONS

__all__ = ['CompatWorkerInit', 'apply', 'strip_scope']

#: mmengine versions whose build_dataloader passes ``_scope_`` on.
AFFECTED_MMENGINE = ('0.8.0', '0.11.0')  # [low, high)

_SCOPED_KEYS = ('collate_fn', 'worker_init_fn')
# class -> the upstream staticmethod function we wrapped
_ORIGINALS: Dict[type, Callable] = {}


def _scope_registry(registry, scope: str):
    if registry.scope == scope:
        return registry
    for child in registry.children.values():
        found = _scope_registry(child, scope)
        if found is not None:
            return found
    return None


def _resolve(fn_type: str, scope: str) -> Callable:
    """``fn_type`` looked up as a registry does for ``_scope_=scope``: in
    that scope's FUNCTIONS registry (and its parents), else in mmengine's."""
    registry = _scope_registry(FUNCTIONS, scope) or FUNCTIONS
    fn = registry.get(fn_type)
    if fn is None:
        raise KeyError(f'{fn_type!r} is not a registered function in scope '
                       f'{scope!r} (FUNCTIONS registry): check the type of '
                       f'the dataloader\'s collate_fn / worker_init_fn.')
    return fn


def strip_scope(dataloader):
    """A dataloader config whose ``collate_fn`` / ``worker_init_fn`` carry no
    ``_scope_`` key; their string ``type`` is resolved in that scope.

    Args:
        dataloader (dict | DataLoader): a config, or anything else (returned
            as is).

    Returns:
        The same object when there is nothing to strip, otherwise a shallow
        copy (a plain dict) with the two entries replaced.
    """
    if not isinstance(dataloader, dict):
        return dataloader
    fixed = {}
    for key in _SCOPED_KEYS:
        fn_cfg = dataloader.get(key)
        if isinstance(fn_cfg, dict) and '_scope_' in fn_cfg:
            fn_cfg = dict(fn_cfg)
            scope = fn_cfg.pop('_scope_')
            if scope is not None and isinstance(fn_cfg.get('type'), str):
                fn_cfg['type'] = _resolve(fn_cfg['type'], scope)
            fixed[key] = fn_cfg
    if not fixed:
        return dataloader
    out = dict(dataloader)
    out.update(fixed)
    return out


class CompatWorkerInit:
    """``worker_init_fn`` that brings the compat fixes into a worker.

    Unpickling it (what a ``spawn``/``forkserver`` worker does with its
    arguments) imports ``mmssl_ext``, whose import applies the fixes; calling
    it applies them again (idempotent) and then calls the loader's own
    ``worker_init_fn``.

    Args:
        init_fn (callable | None): the ``worker_init_fn`` mmengine built.
    """

    def __init__(self, init_fn: Optional[Callable] = None) -> None:
        self.init_fn = init_fn

    def __call__(self, worker_id: int) -> None:
        from .fixes import apply_compat_fixes
        apply_compat_fixes()
        if self.init_fn is not None:
            self.init_fn(worker_id)


def _probe_collate(batch):
    return batch


def _passes_scope_on(build: Callable) -> bool:
    """Whether ``build`` (a build_dataloader) hands ``_scope_`` to the
    collate function: build a probe loader (no dataset is read)."""
    try:
        loader = build(dict(dataset=[0], sampler=None, batch_size=1,
                            collate_fn=dict(type=_probe_collate,
                                            _scope_='mmengine')))
    except Exception:  # noqa: BLE001 - a different code path: not our bug
        return False
    return '_scope_' in getattr(loader.collate_fn, 'keywords', {})


def _mmengine_version_affected() -> bool:
    import mmengine
    from mmengine.utils import digit_version
    low, high = AFFECTED_MMENGINE
    try:
        return digit_version(low) <= digit_version(
            mmengine.__version__) < digit_version(high)
    except Exception:  # noqa: BLE001 - unparsable version: not ours to fix
        return False


def _runner_classes() -> list:
    from mmengine.runner import Runner
    classes = [Runner]
    try:
        from mmengine.runner import FlexibleRunner
        classes.append(FlexibleRunner)
    except ImportError:  # pragma: no cover - older mmengine
        pass
    return classes


def _wrap(original: Callable, strip: bool, workers: bool) -> Callable:

    @functools.wraps(original)
    def build_dataloader(dataloader, seed=None, diff_rank_seed=False):
        if strip:
            dataloader = strip_scope(dataloader)
        loader = original(dataloader, seed=seed,
                          diff_rank_seed=diff_rank_seed)
        if workers and getattr(loader, 'num_workers', 0) > 0 and \
                not isinstance(loader.worker_init_fn, CompatWorkerInit):
            loader.worker_init_fn = CompatWorkerInit(loader.worker_init_fn)
        return loader

    build_dataloader.__mmssl_ext_compat__ = (strip, workers)
    return build_dataloader


def apply(workers_need_fixes: bool = False) -> bool:
    """Wrap the ``build_dataloader`` of each runner class that needs it.

    Args:
        workers_need_fixes (bool): other compat fixes are active and must
            reach DataLoader workers started by spawn/forkserver.

    Returns:
        bool: whether any class is wrapped.
    """
    version_ok = _mmengine_version_affected()
    for cls in _runner_classes():
        if cls in _ORIGINALS:
            continue
        original = cls.__dict__.get('build_dataloader')
        if not isinstance(original, staticmethod):
            continue
        original = original.__func__
        strip = version_ok and _passes_scope_on(original)
        if not (strip or workers_need_fixes):
            continue
        _ORIGINALS[cls] = original
        setattr(cls, 'build_dataloader',
                staticmethod(_wrap(original, strip, workers_need_fixes)))
    return bool(_ORIGINALS)


def original_build_dataloader(cls: type) -> Callable:
    """mmengine's own ``cls.build_dataloader`` (for tests and debugging)."""
    if cls in _ORIGINALS:
        return _ORIGINALS[cls]
    return cls.build_dataloader
