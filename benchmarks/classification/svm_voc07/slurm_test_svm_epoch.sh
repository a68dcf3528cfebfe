#!/bin/sh
# Slurm twin of dist_test_svm_epoch.sh:
#   [GPUS=8] bash benchmarks/classification/svm_voc07/slurm_test_svm_epoch.sh PARTITION JOB_NAME SELFSUP_CONFIG EPOCH ["FEATURE_LIST"] [args]
# POSIX sh (runs under sh/dash and bash); the work is done by
# tools/misc/launch.py (checks, flag translation, GPUS=0 -> one process
# with --launcher none; DRY_RUN=1 prints the command instead).
exec "${PYTHON:-python}" "$(dirname "$0")/../../../tools/misc/launch.py" slurm-svm-epoch "$@"
