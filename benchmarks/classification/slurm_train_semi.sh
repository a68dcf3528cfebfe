#!/bin/sh
# Slurm twin of dist_train_semi.sh (GPUS=4, GPUS_PER_NODE=4 by default):
#   bash benchmarks/classification/slurm_train_semi.sh PARTITION JOB_NAME CONFIG PRETRAIN [train.py args]
# POSIX sh (runs under sh/dash and bash); the work is done by
# tools/misc/launch.py (checks, flag translation, GPUS=0 -> one process
# with --launcher none; DRY_RUN=1 prints the command instead).
exec "${PYTHON:-python}" "$(dirname "$0")/../../tools/misc/launch.py" slurm-semi "$@"
