"""Import-time mmcv check: some mmcv 2.1.x, never both mmcv and mmcv-lite."""
import pytest

from mmssl_ext.compat import mmcv_check


def test_installed_mmcv_passes():
    assert mmcv_check.check_mmcv().startswith('2.1.')


def test_wrong_version_is_explained(monkeypatch):
    import mmcv
    monkeypatch.setattr(mmcv, '__version__', '2.2.0')
    with pytest.raises(ImportError, match='needs mmcv 2.1.x.*make mmcv-full'):
        mmcv_check.check_mmcv()


def test_both_distributions_are_refused(monkeypatch):
    monkeypatch.setattr(mmcv_check, 'installed_mmcv_distributions',
                        lambda: {'mmcv': '2.1.0', 'mmcv-lite': '2.1.0'})
    with pytest.raises(ImportError, match='Both mmcv and mmcv-lite'):
        mmcv_check.check_mmcv()


def test_missing_mmcv_is_explained(monkeypatch):
    import builtins
    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name == 'mmcv':
            raise ImportError('No module named mmcv')
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, '__import__', fake_import)
    with pytest.raises(ImportError, match='requirements/mmcv-lite.txt'):
        mmcv_check.check_mmcv()
