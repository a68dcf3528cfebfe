"""On the OneDL stack, mmssl_ext's safe loader wins over OneDL's fallback.

onedl-mmengine's ``_safe_torch_load`` retries with ``weights_only=False``
after any unpickling error, so an untrusted checkpoint can run code there.
With ``mmssl_ext`` imported, the loader registered through
``CheckpointLoader.register_scheme`` (mmssl_ext/compat/checkpoint.py) must
refuse the file instead: nothing runs, an error is raised.

Runs only where onedl-mmengine is installed (``make test STACK=onedl``).
"""
import os.path as osp
import pathlib
from importlib import metadata

import pytest
import torch


def _onedl_installed() -> bool:
    try:
        metadata.version('onedl-mmengine')
    except metadata.PackageNotFoundError:
        return False
    return True


pytestmark = pytest.mark.skipif(
    not _onedl_installed(),
    reason='onedl-mmengine is not installed (make setup STACK=onedl)')


class WritesMarker:
    """Unpickling it calls ``pathlib.Path.touch(marker)``."""

    def __init__(self, marker: str):
        self.marker = pathlib.Path(marker)

    def __reduce__(self):
        return pathlib.Path.touch, (self.marker, )


def _malicious_checkpoint(tmp_path) -> tuple:
    marker = tmp_path / 'pwned'
    path = tmp_path / 'evil.pth'
    torch.save({'state_dict': {'weight': torch.zeros(2)},
                'meta': {'note': WritesMarker(str(marker))}}, path)
    return str(path), str(marker)


def test_onedl_fallback_would_run_the_payload(tmp_path):
    """The threat is real: OneDL's loader, called directly, runs it."""
    from mmengine.runner.checkpoint import _safe_torch_load
    path, marker = _malicious_checkpoint(tmp_path)
    _safe_torch_load(path, map_location='cpu')
    assert osp.exists(marker)


def test_mmssl_ext_loader_refuses_a_malicious_pickle(tmp_path):
    import mmssl_ext  # noqa: F401 - registers the safe loader
    from mmengine.runner import load_checkpoint
    path, marker = _malicious_checkpoint(tmp_path)
    model = torch.nn.Linear(2, 1)
    with pytest.raises(Exception):
        load_checkpoint(model, path, map_location='cpu')
    assert not osp.exists(marker), 'the pickle payload ran'
