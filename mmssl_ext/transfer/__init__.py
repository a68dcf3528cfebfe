"""Modules that only the mmdet / mmseg transfer configs build.

Not imported by ``import mmssl_ext`` (mmdet and mmseg are optional extras,
``pip install mmssl_ext[transfer]``). The transfer configs under
``configs/benchmarks/mmdetection/`` import it with
``custom_imports = dict(imports=['mmssl_ext.transfer'])``; it registers into
mmdet's registries and needs neither mmcv's compiled ops nor mmdet.models at
import time, so those configs parse on mmcv-lite too.
"""
from .res_stage_extra_norm import ResStageExtraNorm  # noqa: F401

__all__ = ['ResStageExtraNorm']
