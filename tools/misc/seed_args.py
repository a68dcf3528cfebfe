"""Translate MMSelfSup-style launcher arguments for mmpretrain's scripts.

Used by tools/misc/launch.py (every shell launcher); prints one argument per
line.

    python tools/misc/seed_args.py train [ARGS...]   # train.py arguments
    python tools/misc/seed_args.py test [ARGS...]    # test.py arguments
    python tools/misc/seed_args.py train-script      # path of train.py
    python tools/misc/seed_args.py test-script       # path of test.py

Translations (MMSelfSup tools/train.py -> mmpretrain tools/train.py):

* ``--deterministic``   -> ``--cfg-options randomness.deterministic=True``
* ``--seed N``          -> ``--cfg-options randomness.seed=N``
* ``--diff-seed``       -> ``--cfg-options randomness.diff_rank_seed=True``
* ``--work_dir DIR``    -> ``--work-dir DIR``
* ``--resume-from CKPT`` / ``--resume_from CKPT`` (MMSelfSup 0.x) ->
  ``--resume CKPT``
* ``--cfg-options model.pretrained=PATH`` (MMSelfSup 0.x) ->
  ``model.backbone.init_cfg=dict(type='Pretrained', checkpoint=PATH[,
  prefix='backbone.'])``; the prefix is added when PATH is a full
  self-supervised checkpoint (keys ``backbone.*``), not for an extracted
  backbone. PATH may be a URL (``https://``, ``open-mmlab://``, ...): it is
  fetched once into torch's hub cache through mmengine's loader, which reads
  it from there again at training time.
* ``--cfg-options dist_params.KEY=V`` (MMSelfSup 0.x) ->
  ``env_cfg.dist_cfg.KEY=V`` (e.g. the slurm port).

All ``--cfg-options`` are merged into one list; everything else passes
through unchanged.
"""
import os.path as osp
import sys
from typing import List

RENAMED = {'--work_dir': '--work-dir', '--cfg_options': '--cfg-options',
           '--options': '--cfg-options', '--resume-from': '--resume',
           '--resume_from': '--resume'}


def mmpretrain_script(name: str) -> str:
    import importlib.util

    # located without importing mmpretrain (slow: torch, mmcv, ...)
    spec = importlib.util.find_spec('mmpretrain')
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit('mmpretrain is not installed; install '
                         'mmpretrain==1.2.0 (make setup).')
    path = osp.join(list(spec.submodule_search_locations)[0], '.mim',
                    'tools', f'{name}.py')
    if not osp.isfile(path):
        raise SystemExit(f'mmpretrain {name}.py not found at {path}; '
                         f'reinstall mmpretrain==1.2.0 (make setup).')
    return path


def is_url(path: str) -> bool:
    """Whether mmengine's CheckpointLoader reads ``path`` by a scheme
    (``https://``, ``open-mmlab://``, ``torchvision://``, ...)."""
    return '://' in str(path)


def load_checkpoint_any(path: str):
    """Load a local file or URL with the safe loader (URLs through
    mmengine's ``CheckpointLoader``, cached in torch's hub directory)."""
    import mmssl_ext  # noqa: F401  (installs the safe loader for all schemes)
    if is_url(path):
        from mmengine.runner import CheckpointLoader
        return CheckpointLoader.load_checkpoint(path, map_location='cpu')
    from mmssl_ext.compat.checkpoint import load_checkpoint_file
    # mmap: only the keys are needed (ignored for pre-1.6 non-zip files)
    return load_checkpoint_file(path, map_location='cpu', mmap=True)


def local_checkpoint(path: str) -> str:
    """The local file of ``path``: an http(s) URL is downloaded once into
    torch's hub cache (where mmengine's loader finds it again)."""
    if not path.startswith(('http://', 'https://')):
        return path
    from urllib.parse import urlparse

    from torch.hub import get_dir
    load_checkpoint_any(path)
    return osp.join(get_dir(), 'checkpoints',
                    osp.basename(urlparse(path).path))


def _checkpoint_has_backbone_prefix(path: str) -> bool:
    ckpt = load_checkpoint_any(path)
    state = ckpt.get('state_dict', ckpt) if isinstance(ckpt, dict) else {}
    return any(str(k).startswith(('backbone.', 'module.backbone.'))
               for k in state)


def translate_pretrained(value: str) -> List[str]:
    if not is_url(value) and not osp.isfile(value):
        raise SystemExit(f'model.pretrained={value}: file not found. Pass the '
                         f'path (or URL) of a checkpoint or extracted '
                         f'backbone.')
    opts = ['model.backbone.init_cfg.type=Pretrained',
            f'model.backbone.init_cfg.checkpoint={value}']
    if _checkpoint_has_backbone_prefix(value):
        opts.append('model.backbone.init_cfg.prefix=backbone.')
    return opts


def translate(argv: List[str]) -> List[str]:
    out, cfg_options = [], []
    i = 0
    while i < len(argv):
        arg = argv[i]
        key, eq, inline = arg.partition('=')
        key = RENAMED.get(key, key)
        if key == '--cfg-options':
            values = [inline] if eq else []
            i += 1
            while i < len(argv) and not argv[i].startswith('--'):
                values.append(argv[i])
                i += 1
            for opt in values:
                name, _, val = opt.partition('=')
                if name == 'model.pretrained':
                    cfg_options += translate_pretrained(val)
                elif name.startswith('dist_params.'):
                    cfg_options.append('env_cfg.dist_cfg.' +
                                       opt[len('dist_params.'):])
                else:
                    cfg_options.append(opt)
            continue
        if key == '--deterministic':
            cfg_options.append('randomness.deterministic=True')
        elif key == '--diff-seed':
            cfg_options.append('randomness.diff_rank_seed=True')
        elif key == '--seed':
            if eq:
                seed = inline
            else:
                if i + 1 >= len(argv):
                    raise SystemExit('--seed needs a value, e.g. --seed 0')
                i += 1
                seed = argv[i]
            cfg_options.append(f'randomness.seed={int(seed)}')
        else:
            out.append(key + (eq + inline if eq else ''))
        i += 1
    if cfg_options:
        out += ['--cfg-options'] + cfg_options
    return out


def main(argv: List[str]) -> int:
    if not argv or argv[0] not in ('train', 'test', 'train-script',
                                   'test-script'):
        raise SystemExit(__doc__)
    mode, rest = argv[0], argv[1:]
    if mode.endswith('-script'):
        print(mmpretrain_script(mode[:-len('-script')]))
    else:
        for arg in translate(rest):
            print(arg)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
