#!/usr/bin/env bash
# kNN evaluation of epoch EPOCH of a pretraining run in
# work_dirs/selfsup/<config name>/ (or $WORK_DIR), as in MMSelfSup:
#   [GPUS=8] bash benchmarks/classification/knn/dist_test_knn_epoch.sh SELFSUP_CONFIG EPOCH [args]
set -euo pipefail
if [ $# -lt 2 ]; then
    echo "usage: $0 SELFSUP_CONFIG EPOCH [test_knn.py args]" >&2
    exit 2
fi
CFG=$1
EPOCH=$2
WORK_DIR=${WORK_DIR:-work_dirs/selfsup/$(basename "$CFG" .py)}
CHECKPOINT="$WORK_DIR/epoch_${EPOCH}.pth"
DIR="$(cd "$(dirname "$0")" && pwd)"
exec bash "$DIR/_knn_launch.sh" "$CFG" "$CHECKPOINT" "${@:3}"
