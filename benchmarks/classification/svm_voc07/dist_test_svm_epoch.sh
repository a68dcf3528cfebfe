#!/usr/bin/env bash
# VOC07 SVM of the checkpoint of epoch EPOCH of a pretraining run
# (work_dirs/selfsup/<config name>/epoch_EPOCH.pth, or WORK_DIR_PRETRAIN).
# Usage: GPUS=8 bash benchmarks/classification/svm_voc07/dist_test_svm_epoch.sh \
#            SELFSUP_CONFIG EPOCH "FEATURE_LIST" [extra svm_voc07.py args]
set -euo pipefail
if [ $# -lt 3 ]; then
    echo "Usage: $0 SELFSUP_CONFIG EPOCH \"FEATURE_LIST\" [extra args]" >&2; exit 2
fi
CFG=$1
EPOCH=$2
FEAT_LIST=$3
shift 3
GPUS=${GPUS:-8}
PRETRAIN_DIR=${WORK_DIR_PRETRAIN:-work_dirs/selfsup/$(basename "${CFG%.*}")}
PRETRAIN=$PRETRAIN_DIR/epoch_${EPOCH}.pth
exec bash "$(dirname "$0")/dist_test_svm_pretrain.sh" "$CFG" "$GPUS" "$PRETRAIN" "$FEAT_LIST" "$@"
