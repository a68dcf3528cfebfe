from .checkpoint import register_safe_checkpoint_types
from .mmcv_check import check_mmcv, check_transfer_mmcv, has_mmcv_ops

__all__ = ['check_mmcv', 'check_transfer_mmcv', 'has_mmcv_ops', 'register_safe_checkpoint_types']
