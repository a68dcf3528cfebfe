"""Build examples for every module mmssl_ext registers.

Each file here defines ``EXAMPLES = {'<REGISTRY>': {'<Name>': cfg}}`` where
``<REGISTRY>`` is an attribute of :mod:`mmpretrain.registry` (``MODELS``,
``HOOKS``, ``TRANSFORMS``, ``DATASETS``, ...) and ``cfg`` is a config dict or a
callable ``cfg(tmp_path) -> dict`` (for modules that need files). One file per
area (e.g. ``clustering.py``, ``datasets.py``) so parallel work does not
collide. ``tests/test_registry.py`` fails for a registered module without an
example and for an example that does not build.
"""
