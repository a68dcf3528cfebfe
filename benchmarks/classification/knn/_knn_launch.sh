#!/usr/bin/env bash
# Shared by the dist_test_knn_* scripts: _knn_launch.sh CONFIG CHECKPOINT [args]
set -euo pipefail
CFG=$1
CHECKPOINT=$2
GPUS=${GPUS:-8}
PORT=${PORT:-29500}
PYTHON=${PYTHON:-python}
DIR="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$DIR/../../.." && pwd)"
if [ ! -f "$CHECKPOINT" ]; then
    echo "Checkpoint '$CHECKPOINT' does not exist (set WORK_DIR for *_epoch.sh)." >&2
    exit 2
fi
OUT_DIR=${OUT_DIR:-$(dirname "$CHECKPOINT")/knn}
mkdir -p "$OUT_DIR"
OUT="$OUT_DIR/$(basename "$CHECKPOINT" .pth).json"
if [ "$GPUS" = "0" ]; then
    PYTHONPATH="$ROOT:${PYTHONPATH:-}" "$PYTHON" "$DIR/test_knn.py" "$CFG" \
        --checkpoint "$CHECKPOINT" --out "$OUT" "${@:3}"
else
    PYTHONPATH="$ROOT:${PYTHONPATH:-}" "$PYTHON" -m torch.distributed.run \
        --nproc_per_node="$GPUS" --master_port="$PORT" "$DIR/test_knn.py" "$CFG" \
        --checkpoint "$CHECKPOINT" --out "$OUT" --launcher pytorch "${@:3}"
fi
