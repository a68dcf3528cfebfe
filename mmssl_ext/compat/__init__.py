from .checkpoint import register_safe_checkpoint_types
from .fixes import apply_compat_fixes, applied_compat_fixes
from .mmcv_check import check_mmcv, check_transfer_mmcv, has_mmcv_ops

__all__ = ['apply_compat_fixes', 'applied_compat_fixes', 'check_mmcv',
           'check_transfer_mmcv', 'has_mmcv_ops',
           'register_safe_checkpoint_types']
