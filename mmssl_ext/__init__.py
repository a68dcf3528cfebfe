"""mmssl_ext: classic self-supervised methods and benchmarks for mmpretrain.

Importing the package (``custom_imports=dict(imports=['mmssl_ext'])``)

* checks that an mmcv 2.1.x is installed (mmcv-lite or a full build),
* makes mmengine checkpoints loadable under torch's ``weights_only=True``
  default (see :mod:`mmssl_ext.compat.checkpoint`),
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
