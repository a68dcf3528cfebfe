#!/bin/sh
# Testing with mmpretrain's test.py:
#   bash tools/dist_test.sh CONFIG CHECKPOINT GPUS [test.py args]
# GPUS=0: one process. Environment: NNODES, NODE_RANK, PORT, MASTER_ADDR.
# POSIX sh (runs under sh/dash and bash); the work is done by
# tools/misc/launch.py (checks, flag translation, GPUS=0 -> one process
# with --launcher none; DRY_RUN=1 prints the command instead).
exec "${PYTHON:-python}" "$(dirname "$0")/misc/launch.py" test "$@"
