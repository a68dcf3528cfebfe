#!/bin/sh
# Training with mmpretrain's train.py, MMSelfSup's command line:
#   bash tools/dist_train.sh CONFIG GPUS [--work-dir DIR] [--resume-from CKPT]
#        [--deterministic] [--seed N] [--diff-seed] [--amp] [--cfg-options k=v ...]
# GPUS=0: one process (CPU without a GPU). Environment: NNODES, NODE_RANK,
# PORT, MASTER_ADDR. --seed 0 unless the command or the config sets a seed.
# POSIX sh (runs under sh/dash and bash); the work is done by
# tools/misc/launch.py (checks, flag translation, GPUS=0 -> one process
# with --launcher none; DRY_RUN=1 prints the command instead).
exec "${PYTHON:-python}" "$(dirname "$0")/misc/launch.py" train "$@"
