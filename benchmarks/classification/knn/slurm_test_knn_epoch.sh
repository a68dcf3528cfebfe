#!/usr/bin/env bash
# Slurm twin of dist_test_knn_epoch.sh:
#   bash benchmarks/classification/knn/slurm_test_knn_epoch.sh PARTITION SELFSUP_CONFIG EPOCH [args]
set -euo pipefail
if [ $# -lt 3 ]; then
    echo "usage: $0 PARTITION SELFSUP_CONFIG EPOCH [test_knn.py args]" >&2
    exit 2
fi
WORK_DIR=${WORK_DIR:-work_dirs/selfsup/$(basename "$2" .py)}
exec bash "$(dirname "$0")/slurm_test_knn_pretrain.sh" "$1" "$2" "$WORK_DIR/epoch_$3.pth" "${@:4}"
