"""Shared by the classic-family tests (NPID, RelativeLoc, RotationPred, SwAV
queue and momentum hooks) and their 2-process scripts: a probe hook. Configs
are shrunk by :func:`tests.helpers.tiny_cfg`."""
from mmengine.hooks import Hook


class RecordHook(Hook):
    """Calls ``fn(runner)`` before each train iteration (test probe)."""
    _mmssl_internal = True

    def __init__(self, fn, when: str = 'before_train_iter') -> None:
        self.fn = fn
        setattr(self, when, self._call)

    def _call(self, runner, *args, **kwargs) -> None:
        self.fn(runner)
