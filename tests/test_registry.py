"""Registry-driven coverage: everything mmssl_ext defines is registered into
mmpretrain's registries, and every registered module builds."""
import importlib
import inspect
import pkgutil

import pytest
import torch
from mmcv.transforms import BaseTransform
from mmengine.dataset import BaseDataset
from mmengine.evaluator import BaseMetric
from mmengine.hooks import Hook
from mmengine.optim import DefaultOptimWrapperConstructor
from torch.utils.data import Sampler

import mmpretrain.registry as mmpretrain_registry
import mmssl_ext
import tests.registry_examples as examples_pkg

REGISTRY_NAMES = ('MODELS', 'HOOKS', 'TRANSFORMS', 'DATASETS', 'DATA_SAMPLERS',
                  'METRICS', 'OPTIM_WRAPPER_CONSTRUCTORS', 'OPTIMIZERS',
                  'LOOPS')
REGISTRABLE_BASES = (torch.nn.Module, BaseTransform, Hook, BaseDataset,
                     Sampler, BaseMetric, DefaultOptimWrapperConstructor,
                     torch.optim.Optimizer)


# mmssl_ext.transfer registers into mmdet's/mmseg's registries and needs those
# optional extras; tests/test_transfer checks its registrations.
SKIP_PACKAGES = ('mmssl_ext.transfer', )


def _package_modules(package=mmssl_ext):
    # pkgutil.walk_packages would import the skipped packages to recurse.
    for info in pkgutil.iter_modules(package.__path__,
                                     package.__name__ + '.'):
        if info.name.startswith(SKIP_PACKAGES):
            continue
        module = importlib.import_module(info.name)
        yield module
        if info.ispkg:
            yield from _package_modules(module)


def _defined_classes():
    for module in _package_modules():
        for name, obj in vars(module).items():
            if (inspect.isclass(obj) and obj.__module__ == module.__name__
                    and not name.startswith('_')
                    and issubclass(obj, REGISTRABLE_BASES)
                    # not inherited: subclasses of an internal base count
                    and not vars(obj).get('_mmssl_internal', False)):
                yield obj


def _registered():
    """{(registry name, module name): class} for modules of mmssl_ext."""
    found = {}
    for reg_name in REGISTRY_NAMES:
        registry = getattr(mmpretrain_registry, reg_name)
        for name, obj in registry.module_dict.items():
            if getattr(obj, '__module__', '').startswith('mmssl_ext'):
                found[(reg_name, name)] = obj
    return found


def _examples():
    merged = {}
    for info in pkgutil.iter_modules(examples_pkg.__path__):
        module = importlib.import_module(f'{examples_pkg.__name__}.{info.name}')
        for reg_name, entries in getattr(module, 'EXAMPLES', {}).items():
            for name, cfg in entries.items():
                key = (reg_name, name)
                assert key not in merged, f'{key} has two examples'
                merged[key] = cfg
    return merged


REGISTERED = _registered()


def test_every_defined_class_is_registered():
    registered_classes = set(REGISTERED.values())
    missing = [f'{cls.__module__}.{cls.__qualname__}'
               for cls in _defined_classes() if cls not in registered_classes]
    assert not missing, (
        f'Defined but not registered into an mmpretrain registry: {missing}. '
        f'Register them (or mark a private helper `_mmssl_internal = True`).')


def test_every_registered_module_has_an_example():
    missing = sorted(set(REGISTERED) - set(_examples()))
    assert not missing, (f'No build example in tests/registry_examples/ '
                         f'for {missing}')


def test_examples_name_registered_modules():
    stale = sorted(set(_examples()) - set(REGISTERED))
    assert not stale, f'Examples for modules that are not registered: {stale}'


@pytest.mark.parametrize('key', sorted(REGISTERED), ids=lambda k: f'{k[0]}.{k[1]}')
def test_registered_module_builds(key, tmp_path):
    reg_name, name = key
    cfg = _examples().get(key)
    if cfg is None:
        pytest.fail(f'no example for {key}')
    if callable(cfg):
        cfg = cfg(tmp_path)
    cfg = dict(cfg)
    assert cfg.get('type') == name, f'example for {key} builds {cfg.get("type")}'
    registry = getattr(mmpretrain_registry, reg_name)
    obj = registry.build(cfg)
    assert isinstance(obj, REGISTERED[key])
