#!/bin/sh
# Slurm twin of dist_test_knn_epoch.sh:
#   bash benchmarks/classification/knn/slurm_test_knn_epoch.sh PARTITION JOB_NAME SELFSUP_CONFIG EPOCH [args]
# POSIX sh (runs under sh/dash and bash); the work is done by
# tools/misc/launch.py (checks, flag translation, GPUS=0 -> one process
# with --launcher none; DRY_RUN=1 prints the command instead).
exec "${PYTHON:-python}" "$(dirname "$0")/../../../tools/misc/launch.py" slurm-knn-epoch "$@"
