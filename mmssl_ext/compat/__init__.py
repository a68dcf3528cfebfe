from .checkpoint import register_safe_checkpoint_types
from .mmcv_check import check_mmcv, has_mmcv_ops

__all__ = ['check_mmcv', 'has_mmcv_ops', 'register_safe_checkpoint_types']
