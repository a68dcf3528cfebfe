"""Run a script (mmpretrain's train.py / test.py) with mmssl_ext imported.

    python tools/misc/mmssl_entry.py SCRIPT [SCRIPT ARGS...]

The launchers (tools/misc/launch.py) start every training and test process
through this file, so that the safe checkpoint loader, the compat fixes and
our registered modules are in place even for a config without
``custom_imports=dict(imports=['mmssl_ext'])`` (e.g. a plain mmpretrain
config whose checkpoint torch >= 2.6 would refuse with ``weights_only``).
``SCRIPT`` then runs as ``__main__`` with ``sys.argv = [SCRIPT, ARGS...]``.
"""
import os.path as osp
import runpy
import sys


def main() -> None:
    if len(sys.argv) < 2 or not osp.isfile(sys.argv[1]):
        print(f'usage: {sys.argv[0]} SCRIPT [ARGS...]  (SCRIPT must be a '
              f'file, got {sys.argv[1:2]})', file=sys.stderr)
        sys.exit(2)
    import mmssl_ext  # noqa: F401
    script = sys.argv[1]
    sys.argv = sys.argv[1:]
    sys.path.insert(0, osp.dirname(osp.abspath(script)))
    runpy.run_path(script, run_name='__main__')


if __name__ == '__main__':
    main()
