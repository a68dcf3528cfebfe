"""mmssl_ext: classic self-supervised methods and benchmarks for mmpretrain.

Importing the package (``custom_imports=dict(imports=['mmssl_ext'])``)

* checks that one supported mmcv is installed (mmcv / mmcv-lite 2.1 or 2.2,
  onedl-mmcv 2.3; the transfer path checks for mmcv 2.1 on its own),
* makes mmengine checkpoints loadable under torch's ``weights_only=True``
  default (see :mod:`mmssl_ext.compat.checkpoint`), and
* registers every model, hook, dataset, transform, sampler and metric of the
  package into mmpretrain's registries.
"""
from .compat.mmcv_check import check_mmcv

check_mmcv()

from .compat.checkpoint import register_safe_checkpoint_types  # noqa: E402

register_safe_checkpoint_types()

from . import datasets, engine, evaluation, models  # noqa: E402,F401
from .version import __version__  # noqa: E402

__all__ = ['__version__']
