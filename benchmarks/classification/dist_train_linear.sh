#!/bin/sh
# Linear / multi-head evaluation of a pretrained backbone (mmpretrain train.py):
#   [GPUS=8] bash benchmarks/classification/dist_train_linear.sh CONFIG PRETRAIN [train.py args]
# CONFIG   a config under configs/benchmarks/classification/
# PRETRAIN a self-supervised checkpoint, an extracted backbone or a URL; it is
#          checked against CONFIG's backbone before training (mismatched keys
#          listed) and loaded as model.backbone.init_cfg.
# train.py args e.g. --deterministic, --cfg-options k=v (bare k=v also works).
# GPUS=0: one CPU process. WORK_DIR (default
# work_dirs/benchmarks/classification/<config>/<pretrain>), PORT.
# POSIX sh (runs under sh/dash and bash); the work is done by
# tools/misc/launch.py (checks, flag translation, GPUS=0 -> one process
# with --launcher none; DRY_RUN=1 prints the command instead).
exec "${PYTHON:-python}" "$(dirname "$0")/../../tools/misc/launch.py" linear "$@"
