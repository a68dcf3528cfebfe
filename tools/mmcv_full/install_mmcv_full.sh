#!/usr/bin/env bash
# Install full mmcv 2.1.0 (compiled ops) for the installed torch, in place of
# mmcv-lite. The detection / segmentation transfer benchmarks need it
# (`import mmdet.models` and `import mmseg.models` import mmcv.ops).
#
#   bash tools/mmcv_full/install_mmcv_full.sh [--dry-run] [--no-install]
#                                             [--rebuild | --from-cache-only]
#
# 1. Look for a wheel mmcv-2.1.0-cpXY-cpXY-<platform>.whl in the cache:
#    first $MMCV_WHEEL_CACHE/<variant>/ (our own builds; variant =
#    mmcv2.1.0-torch<version>-<cpu|cuda>), then $MMCV_WHEEL_CACHE/ itself (a
#    folder of prebuilt wheels, e.g. CI's). If the wheel's folder has a
#    SHA256SUMS file, the wheel must be listed there and match, or we stop.
# 2. No cached wheel (or --rebuild): download the PyPI sdist, raise every
#    -std=c++14 / -std=c++17 in its setup.py to -std=c++20 (torch >= 2.10's
#    headers need C++20), build with
#      MMCV_WITH_OPS=1 FORCE_CUDA=$FORCE_CUDA MAX_JOBS=$MAX_JOBS \
#        pip wheel . --no-deps --no-build-isolation
#    inside the current environment (so it compiles against its torch), and
#    store the wheel plus SHA256SUMS in $MMCV_WHEEL_CACHE/<variant>/.
#    Cost: about 64 minutes and 32 MB on 2 CPU cores for a CPU build (77
#    sources); a CUDA build takes longer. Nothing is written into the repo.
# 3. Uninstall mmcv-lite (and any mmcv), install the wheel with --no-deps, and
#    check that mmcv.ops.nms runs (and, with FORCE_CUDA=1, that the ops were
#    compiled with CUDA).
#
# Options:
#   --dry-run     find and verify the cached wheel (checksum computed), print
#                 the commands that would run; change nothing
#   --no-install  build / verify the wheel only
#   --rebuild     ignore cached wheels and build
#   --from-cache-only  never build: fail if the cache has no wheel (CI, and
#                 `make setup` with MMCV_WHEEL_CACHE set)
# Environment:
#   MMCV_WHEEL_CACHE  wheel cache (default ~/.cache/mmssl_ext/wheels)
#   FORCE_CUDA        0 (CPU ops, default) or 1 (CUDA ops; needs nvcc)
#   MAX_JOBS          parallel compile jobs (default: number of CPUs)
#   PYTHON            interpreter of the target environment (default python)
#   MMCV_VERSION      2.1.0 (mmdet 3.3 / mmseg 1.2 need < 2.2)
# Exit status: 0 done, 1 failed (message on stderr), 2 bad usage.
set -euo pipefail

DRY_RUN=0
NO_INSTALL=0
REBUILD=0
CACHE_ONLY=0
for arg in "$@"; do
    case "$arg" in
        --dry-run) DRY_RUN=1 ;;
        --no-install) NO_INSTALL=1 ;;
        --rebuild) REBUILD=1 ;;
        --from-cache-only) CACHE_ONLY=1 ;;
        -h|--help) sed -n '2,40p' "$0"; exit 0 ;;
        *) echo "install_mmcv_full.sh: unknown argument '$arg' (see --help)" >&2; exit 2 ;;
    esac
done

PYTHON=${PYTHON:-python}
MMCV_VERSION=${MMCV_VERSION:-2.1.0}
FORCE_CUDA=${FORCE_CUDA:-0}
MAX_JOBS=${MAX_JOBS:-$(nproc 2>/dev/null || echo 2)}
CACHE=${MMCV_WHEEL_CACHE:-$HOME/.cache/mmssl_ext/wheels}

die() { echo "install_mmcv_full.sh: $*" >&2; exit 1; }
say() { echo "install_mmcv_full.sh: $*"; }
run() {
    if [ "$DRY_RUN" = 1 ]; then echo "[dry-run] $*"; else "$@"; fi
}

[ "$REBUILD$CACHE_ONLY" != 11 ] || { echo "install_mmcv_full.sh: --rebuild and --from-cache-only contradict each other." >&2; exit 2; }

case "$FORCE_CUDA" in
    0|1) ;;
    *) die "FORCE_CUDA must be 0 (CPU ops) or 1 (CUDA ops), got '$FORCE_CUDA'." ;;
esac
command -v "$PYTHON" >/dev/null || die "python interpreter '$PYTHON' not found; set PYTHON=/path/to/venv/bin/python."

read -r PY_TAG PLATFORM TORCH_VERSION < <("$PYTHON" - <<'EOF'
import sys, sysconfig
from importlib import metadata
try:  # without importing torch (slow)
    version = metadata.version('torch').split('+')[0]
except metadata.PackageNotFoundError:
    version = 'none'
tag = f'cp{sys.version_info[0]}{sys.version_info[1]}'
print(tag, sysconfig.get_platform().replace('-', '_').replace('.', '_'), version)
EOF
)
[ -n "${PY_TAG:-}" ] || die "could not query $PYTHON for its Python tag and platform."
[ "$TORCH_VERSION" != none ] || die "torch is not installed in $PYTHON's environment; set up the environment first (make setup)."

VARIANT="mmcv${MMCV_VERSION}-torch${TORCH_VERSION}-$([ "$FORCE_CUDA" = 1 ] && echo cuda || echo cpu)"
WHEEL_NAME="mmcv-${MMCV_VERSION}-${PY_TAG}-${PY_TAG}-${PLATFORM}.whl"
say "target: $WHEEL_NAME for torch $TORCH_VERSION ($VARIANT), cache $CACHE"

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

# verify_wheel WHEEL: if a SHA256SUMS lies next to WHEEL, WHEEL must match it.
verify_wheel() {
    local wheel=$1 dir sums expected actual
    dir=$(dirname "$wheel")
    sums="$dir/SHA256SUMS"
    if [ ! -f "$sums" ]; then
        say "no SHA256SUMS in $dir: using $wheel unverified"
        return 0
    fi
    expected=$(awk -v n="$(basename "$wheel")" '{f=$2; sub(/^\*/, "", f); if (f == n) print $1}' "$sums")
    [ -n "$expected" ] || die "$sums has no entry for $(basename "$wheel"): refusing an unverified wheel. Add its sha256 to SHA256SUMS, remove the wheel, or run with --rebuild."
    actual=$(sha256_of "$wheel")
    [ "$expected" = "$actual" ] || die "checksum mismatch for $wheel: SHA256SUMS says $expected, the file is $actual. The wheel is corrupt or was replaced; delete it (or run with --rebuild)."
    say "checksum OK ($actual) for $wheel"
}

find_cached_wheel() {
    local candidate
    for candidate in "$CACHE/$VARIANT/$WHEEL_NAME" "$CACHE/$WHEEL_NAME"; do
        if [ -f "$candidate" ]; then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}

build_wheel() {
    local out="$CACHE/$VARIANT" work
    say "building mmcv $MMCV_VERSION from the PyPI sdist (FORCE_CUDA=$FORCE_CUDA, MAX_JOBS=$MAX_JOBS): about 64 min on 2 CPU cores for CPU ops"
    if [ "$DRY_RUN" = 1 ]; then
        echo "[dry-run] $PYTHON -m pip download mmcv==$MMCV_VERSION --no-deps --no-binary :all: -d TMP"
        echo "[dry-run] tar xzf TMP/mmcv-$MMCV_VERSION.tar.gz; sed -i 's/-std=c++1[47]/-std=c++20/g' setup.py"
        echo "[dry-run] MMCV_WITH_OPS=1 FORCE_CUDA=$FORCE_CUDA MAX_JOBS=$MAX_JOBS $PYTHON -m pip wheel . --no-deps --no-build-isolation -w $out"
        echo "[dry-run] (cd $out && sha256sum $WHEEL_NAME > SHA256SUMS)"
        WHEEL="$out/$WHEEL_NAME"
        return 0
    fi
    if [ "$FORCE_CUDA" = 1 ]; then
        command -v nvcc >/dev/null || die "FORCE_CUDA=1 needs the CUDA toolkit (nvcc not on PATH); install it or build CPU ops with FORCE_CUDA=0."
    fi
    work=$(mktemp -d "${TMPDIR:-/tmp}/mmcv-build.XXXXXX")
    trap 'rm -rf "$work"' EXIT
    "$PYTHON" -m pip download "mmcv==$MMCV_VERSION" --no-deps --no-binary :all: -d "$work" \
        || die "could not download the mmcv $MMCV_VERSION sdist from PyPI (network?). Alternatively point MMCV_WHEEL_CACHE at a folder holding $WHEEL_NAME."
    tar xzf "$work/mmcv-$MMCV_VERSION.tar.gz" -C "$work"
    local src="$work/mmcv-$MMCV_VERSION"
    sed -i 's/-std=c++14/-std=c++20/g; s/-std=c++17/-std=c++20/g' "$src/setup.py"
    if grep -q -- '-std=c++1[47]' "$src/setup.py"; then
        die "setup.py of mmcv $MMCV_VERSION still forces -std=c++14/17 after patching; the sdist changed, update this script."
    fi
    (cd "$src" && MMCV_WITH_OPS=1 FORCE_CUDA="$FORCE_CUDA" MAX_JOBS="$MAX_JOBS" \
        "$PYTHON" -m pip wheel . --no-deps --no-build-isolation -w "$work/dist") \
        || die "building mmcv failed (see the compiler output above)."
    local built
    built=$(ls "$work"/dist/mmcv-"$MMCV_VERSION"-*.whl | head -n1)
    [ -f "$built" ] || die "the build produced no wheel in $work/dist."
    mkdir -p "$out"
    cp "$built" "$out/$WHEEL_NAME"
    (cd "$out" && sha256sum "$WHEEL_NAME" > SHA256SUMS)
    WHEEL="$out/$WHEEL_NAME"
    say "cached $WHEEL"
}

WHEEL=""
if [ "$REBUILD" = 0 ] && WHEEL=$(find_cached_wheel); then
    say "found cached wheel $WHEEL"
    verify_wheel "$WHEEL"
elif [ "$CACHE_ONLY" = 1 ]; then
    die "--from-cache-only: no $WHEEL_NAME in $CACHE/$VARIANT/ or $CACHE/. Put a wheel built for torch $TORCH_VERSION there (with SHA256SUMS), or build one with \`make mmcv-full\` (about 64 min on 2 cores)."
else
    build_wheel
fi

if [ "$NO_INSTALL" = 1 ]; then
    say "--no-install: wheel ready at $WHEEL"
    exit 0
fi

run "$PYTHON" -m pip uninstall -y mmcv-lite mmcv
if ! run "$PYTHON" -m pip install --no-deps "$WHEEL"; then
    die "installing $WHEEL failed; mmcv is now uninstalled. Restore mmcv-lite with \`pip install -r requirements/mmcv-lite.txt\` or fix the error above."
fi

CHECK_OPS=$(cat <<EOF
import torch, mmcv, mmcv.ops
boxes = torch.tensor([[0., 0., 10., 10.], [1., 1., 10., 10.], [20., 20., 30., 30.]])
keep = mmcv.ops.nms(boxes, torch.tensor([0.9, 0.8, 0.7]), 0.5)[1]
assert keep.tolist() == [0, 2], keep
cuda = mmcv.ops.get_compiling_cuda_version()
if $FORCE_CUDA and cuda == 'not available':
    raise SystemExit('the installed wheel has CPU ops only; rerun with FORCE_CUDA=1 --rebuild')
print(f'mmcv {mmcv.__version__}: compiled ops work (CUDA: {cuda})')
EOF
)
if [ "$DRY_RUN" = 1 ]; then
    echo "[dry-run] $PYTHON -c <check that mmcv.ops.nms runs>"
    exit 0
fi
"$PYTHON" -c "$CHECK_OPS" || die "mmcv installed but its ops do not work with this torch ($TORCH_VERSION): the cached wheel was built for another torch/Python. Rerun with --rebuild."
