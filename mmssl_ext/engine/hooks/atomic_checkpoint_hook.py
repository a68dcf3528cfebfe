"""Checkpoints that a kill at any moment cannot destroy."""
import contextlib
import glob
import logging
import os
import os.path as osp
import re
import zipfile
from typing import Iterator, List, Optional

from mmengine.dist import is_main_process
from mmengine.fileio import LocalBackend
from mmengine.hooks import CheckpointHook
from mmengine.logging import print_log
from mmpretrain.registry import HOOKS
from mmssl_ext.utils.legacy_config import warn_legacy_runtime_keys

TMP_PREFIX = '.incomplete-'
_CKPT_NAME = re.compile(r'^(epoch|iter)_(\d+)\.pth$')


def fsync_path(path: str) -> None:
    """Flush a file (or a folder entry) to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_text_atomically(path: str, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and ``os.replace``:
    a reader sees the old content or the new one, never a truncated file."""
    folder, name = osp.split(osp.abspath(path))
    tmp = osp.join(folder, f'{TMP_PREFIX}{name}.{os.getpid()}')
    with open(tmp, 'w') as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    fsync_path(folder)


def is_complete_checkpoint(path: str) -> bool:
    """Whether ``path`` is a whole checkpoint file.

    torch writes zip archives whose central directory is at the end, so a
    file cut short by a kill fails to open as a zip. Files in torch's old
    (non-zip) format cannot be checked this cheaply and count as complete.
    """
    if not osp.isfile(path) or osp.getsize(path) == 0:
        return False
    with open(path, 'rb') as f:
        magic = f.read(4)
    if magic != b'PK\x03\x04':
        return magic[:1] == b'\x80'  # legacy pickle-based torch file
    try:
        with zipfile.ZipFile(path) as archive:
            return len(archive.namelist()) > 0
    except (zipfile.BadZipFile, OSError):
        return False


def complete_checkpoints(folder: str) -> List[str]:
    """``epoch_*.pth`` / ``iter_*.pth`` files of ``folder`` that are whole,
    oldest first (by the number in the name)."""
    found = []
    for path in glob.glob(osp.join(folder, '*.pth')):
        match = _CKPT_NAME.match(osp.basename(path))
        if match and is_complete_checkpoint(path):
            found.append((int(match.group(2)), path))
    return [path for _, path in sorted(found)]


class _DeferredRemoval:
    """Proxy of a file backend that records ``remove``/``rmtree`` calls
    instead of executing them (see :class:`AtomicCheckpointHook`)."""

    def __init__(self, backend) -> None:
        self._backend = backend
        self.pending: List[str] = []

    def remove(self, path) -> None:
        self.pending.append(str(path))

    def rmtree(self, path) -> None:
        self.pending.append(str(path))

    def __getattr__(self, name):
        return getattr(self._backend, name)


@HOOKS.register_module()
class AtomicCheckpointHook(CheckpointHook):
    """mmengine's ``CheckpointHook`` whose saves survive a kill at any moment.

    mmengine 0.10's ``CheckpointHook`` deletes the oldest checkpoint *before*
    writing the new one when ``max_keep_ckpts`` would be exceeded (and the
    previous best checkpoint before writing the new best), and writes the
    file in place. With ``max_keep_ckpts=1`` a kill during the save leaves a
    truncated file and ``last_checkpoint`` pointing at a deleted one: all
    progress is lost. This hook keeps every argument and behaviour of
    ``CheckpointHook`` and changes the order of the file operations on local
    disks (rank 0 only, as mmengine saves):

    1. the checkpoint is written to ``.incomplete-<name>`` in the same
       folder (a name that no ``epoch_*``/``iter_*`` pattern matches),
       flushed with ``fsync`` and renamed onto its name (``os.replace``,
       atomic on POSIX);
    2. only then are the checkpoints beyond ``max_keep_ckpts`` (or the
       previous best one) deleted;
    3. ``last_checkpoint`` is written by ``CheckpointHook`` after the rename,
       so it always names a complete file.

    When a run is resumed automatically (``resume=True`` without
    ``load_from``) and the file that ``last_checkpoint`` names is missing or
    truncated (e.g. a checkpoint written by plain ``CheckpointHook`` when
    the job was killed), the newest complete ``epoch_*``/``iter_*``
    checkpoint of the folder is resumed instead, with a warning.

    Use it in place of ``CheckpointHook``::

        default_hooks = dict(checkpoint=dict(type='AtomicCheckpointHook',
                                             interval=1, max_keep_ckpts=1))

    Other storage backends (``backend_args`` for S3/petrel...) have no
    atomic rename: there the hook behaves as ``CheckpointHook`` except that
    deletions still wait until the new file is written.

    Args: as :class:`mmengine.hooks.CheckpointHook`.
    """

    def before_run(self, runner) -> None:
        warn_legacy_runtime_keys(runner)  # 0.x keys mmengine ignores
        super().before_run(runner)
        if runner._resume and runner._load_from is None:
            self._choose_resume_checkpoint(runner)

    # ----------------------------------------------------------- resuming
    def _choose_resume_checkpoint(self, runner) -> None:
        """Point auto-resume at the newest complete checkpoint."""
        pointer = osp.join(runner.work_dir, 'last_checkpoint')
        named: Optional[str] = None
        if osp.isfile(pointer):
            with open(pointer) as f:
                named = f.read().strip() or None
        if named is not None and is_complete_checkpoint(named):
            return
        folders = {runner.work_dir}
        if self.out_dir is not None:  # CheckpointHook.before_train's rule
            folders.add(osp.join(self.out_dir, osp.basename(
                runner.work_dir.rstrip(osp.sep))))
        if named is not None:
            folders.add(osp.dirname(named))
        candidates = [path for folder in folders if osp.isdir(folder)
                      for path in complete_checkpoints(folder)]
        if not candidates:
            if named is not None:
                print_log(
                    f'AtomicCheckpointHook: last_checkpoint names {named}, '
                    f'which is missing or truncated, and no complete '
                    f'epoch_*/iter_* checkpoint exists in {sorted(folders)}: '
                    f'training starts from scratch.',
                    logger='current', level=logging.WARNING)
                runner._resume = False
            return
        newest = max(candidates, key=lambda p: (
            int(_CKPT_NAME.match(osp.basename(p)).group(2)),
            osp.getmtime(p)))
        print_log(
            f'AtomicCheckpointHook: last_checkpoint names '
            f'{named or "nothing"}, which is '
            f'{"missing or truncated" if named else "absent"} (the previous '
            f'run was probably killed while saving); resuming from {newest}, '
            f'the newest complete checkpoint.',
            logger='current', level=logging.WARNING)
        runner._load_from = newest

    # ------------------------------------------------------------- saving
    @contextlib.contextmanager
    def _atomic_saves(self, runner) -> Iterator[None]:
        """Within the block: deletions wait and saves go through a temporary
        file; after it, the deletions run."""
        backend = self.file_backend
        deferred = _DeferredRemoval(backend)
        self.file_backend = deferred
        local = isinstance(backend, LocalBackend)
        if local and is_main_process():
            save = runner.save_checkpoint

            def save_atomically(out_dir, filename, *args, **kwargs):
                tmp_name = f'{TMP_PREFIX}{filename}'
                save(out_dir, tmp_name, *args, **kwargs)
                tmp = osp.join(out_dir, tmp_name)
                fsync_path(tmp)
                os.replace(tmp, osp.join(out_dir, filename))
                fsync_path(out_dir)

            runner.save_checkpoint = save_atomically
        try:
            yield
        finally:
            self.file_backend = backend
            if 'save_checkpoint' in vars(runner):
                del runner.save_checkpoint
        if is_main_process():
            keep = {osp.abspath(p) for p in (self.last_ckpt,
                                             getattr(self, 'best_ckpt_path',
                                                     None)) if p}
            for path in deferred.pending:
                if osp.abspath(path) in keep:
                    continue
                if backend.isfile(path):
                    backend.remove(path)
                elif backend.isdir(path):
                    backend.rmtree(path)

    def _save_checkpoint_with_step(self, runner, step, meta) -> None:
        with self._atomic_saves(runner):
            super()._save_checkpoint_with_step(runner, step, meta)

    def _save_best_checkpoint(self, runner, metrics) -> None:
        with self._atomic_saves(runner):
            super()._save_best_checkpoint(runner, metrics)
