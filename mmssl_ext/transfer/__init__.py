"""Modules that only the mmdet / mmseg transfer configs build.

Not imported by ``import mmssl_ext`` (mmdet and mmseg are optional extras,
``pip install mmssl_ext[transfer]``). The transfer configs under
``configs/benchmarks/mmdetection/`` import it with
``custom_imports = dict(imports=['mmssl_ext.transfer'])``; it registers into
mmdet's registries and needs neither mmcv's compiled ops nor mmdet.models at
import time, so those configs parse on mmcv-lite too.

It checks on import that the installed mmcv is one mmdet 3.3 / mmseg 1.2.2
accept (upstream mmcv 2.1.x), so an unsupported combination fails here with
the versions found and the fix rather than deep inside mmdet.
"""
from ..compat.mmcv_check import check_transfer_mmcv

check_transfer_mmcv()

from .res_stage_extra_norm import ResStageExtraNorm  # noqa: E402,F401

__all__ = ['ResStageExtraNorm']
