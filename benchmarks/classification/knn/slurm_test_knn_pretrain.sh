#!/usr/bin/env bash
# Slurm twin of dist_test_knn_pretrain.sh:
#   [GPUS=8] [GPUS_PER_NODE=8] [CPUS_PER_TASK=5] [SRUN_ARGS=...] \
#   bash benchmarks/classification/knn/slurm_test_knn_pretrain.sh PARTITION SELFSUP_CONFIG PRETRAIN [args]
set -euo pipefail
if [ $# -lt 3 ]; then
    echo "usage: $0 PARTITION SELFSUP_CONFIG PRETRAIN [test_knn.py args]" >&2
    exit 2
fi
PARTITION=$1
CFG=$2
CHECKPOINT=$3
GPUS=${GPUS:-8}
GPUS_PER_NODE=${GPUS_PER_NODE:-8}
CPUS_PER_TASK=${CPUS_PER_TASK:-5}
SRUN_ARGS=${SRUN_ARGS:-""}
PYTHON=${PYTHON:-python}
DIR="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$DIR/../../.." && pwd)"
if [ ! -f "$CHECKPOINT" ]; then
    echo "Checkpoint '$CHECKPOINT' does not exist." >&2
    exit 2
fi
OUT_DIR=${OUT_DIR:-$(dirname "$CHECKPOINT")/knn}
mkdir -p "$OUT_DIR"
# shellcheck disable=SC2086
PYTHONPATH="$ROOT:${PYTHONPATH:-}" srun -p "$PARTITION" --job-name=knn \
    --gres=gpu:"$GPUS_PER_NODE" --ntasks="$GPUS" --ntasks-per-node="$GPUS_PER_NODE" \
    --cpus-per-task="$CPUS_PER_TASK" --kill-on-bad-exit=1 ${SRUN_ARGS} \
    "$PYTHON" -u "$DIR/test_knn.py" "$CFG" --checkpoint "$CHECKPOINT" \
    --out "$OUT_DIR/$(basename "$CHECKPOINT" .pth).json" --launcher slurm "${@:4}"
