#!/bin/sh
# Semi-supervised fine-tuning (1 %/10 % subsets) of a pretrained backbone:
#   [GPUS=4] bash benchmarks/classification/dist_train_semi.sh CONFIG PRETRAIN [train.py args]
# As dist_train_linear.sh, with 4 GPUs by default (MMSelfSup's setting).
# POSIX sh (runs under sh/dash and bash); the work is done by
# tools/misc/launch.py (checks, flag translation, GPUS=0 -> one process
# with --launcher none; DRY_RUN=1 prints the command instead).
exec "${PYTHON:-python}" "$(dirname "$0")/../../tools/misc/launch.py" semi "$@"
