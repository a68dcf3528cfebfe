#!/usr/bin/env bash
# Install one tested stack into an existing venv (called by `make setup`).
#
#   STACK=lock|current|onedl VPY=.venv/bin/python [MMCV_WHEEL_CACHE=DIR] \
#       bash tools/setup/install_stack.sh
#
# lock     requirements/lock.txt as constraints (`pip install -c`): the exact
#          tested set; mmssl_ext and its extras resolve inside it.
# current  like a user's environment: torch and a numpy 2.x first (the newest
#          that pip finds), then `pip install -e .[faiss,mim,tests]` with its
#          dependencies; tools/setup/check_install_keeps.py fails the setup if
#          that replaced torch, torchvision or numpy.
# onedl    the OneDL distribution (requirements/onedl.txt; onedl-mmcv built
#          from its sdist without compiled ops), then mmssl_ext with --no-deps
#          (its upstream mmengine/mmpretrain/openmim requirements would
#          overwrite the OneDL packages) plus its other dependencies.
#          requirements/lock-onedl.txt pins the rest when present.
# mmcv (lock, current): the full mmcv 2.1.0 wheel from MMCV_WHEEL_CACHE when
# set (checksum verified; then the transfer extras too), else mmcv-lite.
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${STACK:?set STACK=lock|current|onedl}"
: "${VPY:?set VPY=path/to/venv/bin/python}"
PIP=("$VPY" -m pip)
LOCK=requirements/lock.txt
say() { echo "install_stack ($STACK): $*"; }
elapsed() { echo $(( $(date +%s) - T0 ))s; }
T0=$(date +%s)

"${PIP[@]}" install --quiet --upgrade "pip>=24"

install_mmcv() {  # $1: constraints args (may be empty)
    if [ -n "${MMCV_WHEEL_CACHE:-}" ]; then
        MMCV_WHEEL_CACHE="$MMCV_WHEEL_CACHE" PYTHON="$VPY" \
            bash tools/mmcv_full/install_mmcv_full.sh --from-cache-only
        "${PIP[@]}" install $1 -r requirements/transfer.txt
    elif ! "${PIP[@]}" show mmcv >/dev/null 2>&1 && ! "${PIP[@]}" show mmcv-lite >/dev/null 2>&1; then
        "${PIP[@]}" install $1 -r requirements/mmcv-lite.txt
    fi
}

case "$STACK" in
lock)
    "${PIP[@]}" install -c "$LOCK" -e ".[faiss,mim,tests]" torchvision
    install_mmcv "-c $LOCK"
    ;;
current)
    # A user's environment: torch, torchvision and numpy 2 are already there.
    "${PIP[@]}" install --upgrade torch torchvision "numpy>=2"
    "$VPY" tools/setup/check_install_keeps.py snapshot "$(dirname "$VPY")/../.stack-before.json"
    "${PIP[@]}" install --upgrade-strategy only-if-needed -e ".[faiss,mim,tests]"
    "$VPY" tools/setup/check_install_keeps.py compare "$(dirname "$VPY")/../.stack-before.json"
    install_mmcv ""
    ;;
onedl)
    CONS=()
    [ -f requirements/lock-onedl.txt ] && CONS=(-c requirements/lock-onedl.txt)
    "${PIP[@]}" install "${CONS[@]}" torch torchvision "numpy>=2" "setuptools>=80,<81" wheel packaging
    # onedl-mmcv is an sdist. Its setup.py has no MMCV_WITH_OPS switch: it
    # compiles the ops whenever it can import torch (and fails to on torch
    # >= 2.10, whose headers need C++20). pip's default isolated build has no
    # torch, so it builds the pure-Python package ("Skip building ext ops").
    t=$(date +%s)
    "${PIP[@]}" install "${CONS[@]}" "$(grep -E '^onedl-mmcv==' requirements/onedl.txt)"
    say "onedl-mmcv built and installed in $(( $(date +%s) - t ))s"
    "${PIP[@]}" install "${CONS[@]}" -r requirements/onedl.txt \
        -r requirements/faiss.txt -r requirements/tests.txt \
        "scikit-learn>=1.5" "setuptools<81" \
        "$(grep -E '^kornia' requirements/runtime.txt)"
    "${PIP[@]}" install --no-deps -e .
    ;;
*)
    echo "install_stack.sh: STACK must be lock, current or onedl, got '$STACK'" >&2
    exit 2
    ;;
esac
if [ "$STACK" = onedl ]; then
    say "(no pip check: mmssl_ext's metadata names upstream mmengine/mmpretrain, which the onedl-* distributions replace under other names)"
else
    "${PIP[@]}" check || say "WARNING: pip check reports the conflicts above"
fi
"$VPY" -c "import mmssl_ext, mmpretrain, mmcv, numpy, torch; print('mmssl_ext', mmssl_ext.__version__, 'ready: torch', torch.__version__, 'numpy', numpy.__version__, 'mmcv', mmcv.__version__, 'mmpretrain', mmpretrain.__version__)"
say "done in $(elapsed)"
