"""Check that installing mmssl_ext left the user's torch and numpy alone.

    python tools/setup/check_install_keeps.py snapshot FILE   # before
    pip install -e .                                           # with deps
    python tools/setup/check_install_keeps.py compare FILE    # after

``snapshot`` writes the installed versions of the guarded distributions
(torch, torchvision, numpy) to FILE; ``compare`` exits 1, naming each one,
if any of them changed or disappeared. ``make setup STACK=current`` runs it
around the installation of mmssl_ext into a venv that already holds torch and
a numpy 2.x.
"""
import json
import sys
from importlib import metadata

GUARDED = ('torch', 'torchvision', 'numpy')


def installed() -> dict:
    found = {}
    for name in GUARDED:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


def main(argv) -> int:
    if len(argv) != 3 or argv[1] not in ('snapshot', 'compare'):
        print(__doc__, file=sys.stderr)
        return 2
    path = argv[2]
    if argv[1] == 'snapshot':
        with open(path, 'w') as f:
            json.dump(installed(), f)
        print(f'check_install_keeps: before = {installed()}')
        return 0
    with open(path) as f:
        before = json.load(f)
    after = installed()
    changed = {k: (before[k], after.get(k)) for k in before
               if before[k] != after.get(k)}
    if changed:
        lines = ', '.join(f'{k} {a} -> {b}' for k, (a, b) in changed.items())
        print(f'check_install_keeps: installing mmssl_ext replaced {lines}. '
              f'Its install_requires (requirements/runtime.txt) must admit '
              f'the versions that were installed.', file=sys.stderr)
        return 1
    print(f'check_install_keeps: unchanged {after}')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
