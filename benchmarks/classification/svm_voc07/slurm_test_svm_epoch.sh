#!/usr/bin/env bash
# Slurm twin of dist_test_svm_epoch.sh.
# Usage: GPUS=8 bash benchmarks/classification/svm_voc07/slurm_test_svm_epoch.sh \
#            PARTITION JOB_NAME SELFSUP_CONFIG EPOCH "FEATURE_LIST" [extra args]
set -euo pipefail
if [ $# -lt 5 ]; then
    echo "Usage: $0 PARTITION JOB_NAME SELFSUP_CONFIG EPOCH \"FEATURE_LIST\" [extra args]" >&2; exit 2
fi
PARTITION=$1
JOB_NAME=$2
CFG=$3
EPOCH=$4
FEAT_LIST=$5
shift 5
PRETRAIN_DIR=${WORK_DIR_PRETRAIN:-work_dirs/selfsup/$(basename "${CFG%.*}")}
exec bash "$(dirname "$0")/slurm_test_svm_pretrain.sh" "$PARTITION" "$JOB_NAME" "$CFG" \
    "$PRETRAIN_DIR/epoch_${EPOCH}.pth" "$FEAT_LIST" "$@"
