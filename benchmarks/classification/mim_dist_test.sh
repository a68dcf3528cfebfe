#!/bin/sh
# Test a fine-tuned classifier (MMSelfSup 1.x's script):
#   [GPUS=8] bash benchmarks/classification/mim_dist_test.sh CONFIG CHECKPOINT [test.py args]
# POSIX sh (runs under sh/dash and bash); the work is done by
# tools/misc/launch.py (checks, flag translation, GPUS=0 -> one process
# with --launcher none; DRY_RUN=1 prints the command instead).
exec "${PYTHON:-python}" "$(dirname "$0")/../../tools/misc/launch.py" cls-test "$@"
