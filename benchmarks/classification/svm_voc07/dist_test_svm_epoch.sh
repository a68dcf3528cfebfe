#!/bin/sh
# VOC07 SVM of epoch EPOCH of a pretraining run:
#   [GPUS=8] bash benchmarks/classification/svm_voc07/dist_test_svm_epoch.sh SELFSUP_CONFIG EPOCH ["FEATURE_LIST"] [args]
# epoch_EPOCH.pth is looked for as by dist_test_knn_epoch.sh (WORK_DIR_PRETRAIN
# first); FEATURE_LIST defaults to feat5.
# POSIX sh (runs under sh/dash and bash); the work is done by
# tools/misc/launch.py (checks, flag translation, GPUS=0 -> one process
# with --launcher none; DRY_RUN=1 prints the command instead).
exec "${PYTHON:-python}" "$(dirname "$0")/../../../tools/misc/launch.py" svm-epoch "$@"
