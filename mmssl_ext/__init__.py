"""mmssl_ext: classic self-supervised methods and benchmarks for mmpretrain.

Importing the package (``custom_imports=dict(imports=['mmssl_ext'])``)

* checks that one supported mmcv is installed (mmcv / mmcv-lite 2.1 or 2.2,
  onedl-mmcv 2.3; the transfer path checks for mmcv 2.1 on its own),
* installs one safe loader (a restricted unpickler) for every checkpoint
  read through mmengine's ``CheckpointLoader``, so mmengine checkpoints load
  under torch >= 2.6 without executing code (:mod:`mmssl_ext.compat.checkpoint`),
* applies the compat fixes of upstream bugs, where the installed versions
  have them (:mod:`mmssl_ext.compat.fixes`; ``MMSSL_EXT_DISABLE_COMPAT=1``
  turns them off), and
* registers every model, hook, dataset, transform, sampler and metric of the
  package into mmpretrain's registries.
"""
from .compat.mmcv_check import check_mmcv

check_mmcv()

from .compat.checkpoint import register_safe_checkpoint_types  # noqa: E402

register_safe_checkpoint_types()

from .compat.fixes import apply_compat_fixes  # noqa: E402

apply_compat_fixes()

from . import datasets, engine, evaluation, models  # noqa: E402,F401
from .version import __version__  # noqa: E402

__all__ = ['__version__']
