#!/bin/sh
# Slurm twin of dist_train_linear.sh:
#   [GPUS=8] [GPUS_PER_NODE=8] [CPUS_PER_TASK=5] [SRUN_ARGS=...] \
#   bash benchmarks/classification/slurm_train_linear.sh PARTITION JOB_NAME CONFIG PRETRAIN [train.py args]
# POSIX sh (runs under sh/dash and bash); the work is done by
# tools/misc/launch.py (checks, flag translation, GPUS=0 -> one process
# with --launcher none; DRY_RUN=1 prints the command instead).
exec "${PYTHON:-python}" "$(dirname "$0")/../../tools/misc/launch.py" slurm-linear "$@"
