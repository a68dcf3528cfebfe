"""The switch for our compat fixes of upstream bugs.

A compat fix repairs a named upstream bug that breaks our users, for the
upstream versions that have it, and changes nothing anywhere else (see
DESIGN.md, "compat fixes"). Each lives in its own module of this package:

* :mod:`mmssl_ext.compat.adjust_hue`: mmcv 2.0-2.2's ``adjust_hue`` raises
  ``OverflowError`` under numpy 2 for negative hue factors.
* :mod:`mmssl_ext.compat.build_dataloader`: mmengine 0.8-0.10's
  ``Runner.build_dataloader`` passes the ``_scope_`` key of configs inherited
  with ``_base_ = 'mmpretrain::...'`` on to the collate function; the same
  wrapper makes DataLoader workers started by ``spawn``/``forkserver`` import
  mmssl_ext, so that the other fixes reach them.

``import mmssl_ext`` applies them. Setting the environment variable
``MMSSL_EXT_DISABLE_COMPAT=1`` (also ``true``/``yes``) before the import turns
all of them off; :func:`applied_compat_fixes` tells which ones are active.
"""
import os
from typing import List

__all__ = ['DISABLE_ENV', 'apply_compat_fixes', 'applied_compat_fixes',
           'compat_disabled']

#: Environment variable that turns every compat fix off.
DISABLE_ENV = 'MMSSL_EXT_DISABLE_COMPAT'

_APPLIED: List[str] = []


def compat_disabled() -> bool:
    """Whether ``MMSSL_EXT_DISABLE_COMPAT`` asks to leave upstream alone."""
    value = os.environ.get(DISABLE_ENV, '').strip().lower()
    return value in ('1', 'true', 'yes', 'on')


def apply_compat_fixes() -> List[str]:
    """Apply every fix whose upstream bug is present (idempotent).

    Returns:
        list[str]: names of the fixes now active (see
        :func:`applied_compat_fixes`).
    """
    if compat_disabled():
        return applied_compat_fixes()
    from . import adjust_hue, build_dataloader
    if adjust_hue.apply() and 'adjust_hue' not in _APPLIED:
        _APPLIED.append('adjust_hue')
    # after adjust_hue: it decides whether workers must import mmssl_ext
    if build_dataloader.apply(
            workers_need_fixes=bool(_APPLIED)) and \
            'build_dataloader' not in _APPLIED:
        _APPLIED.append('build_dataloader')
    return applied_compat_fixes()


def applied_compat_fixes() -> List[str]:
    """Names of the compat fixes active in this process."""
    return list(_APPLIED)
