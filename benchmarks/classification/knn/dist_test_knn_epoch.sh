#!/bin/sh
# kNN of epoch EPOCH of a pretraining run, as in MMSelfSup:
#   [GPUS=8] bash benchmarks/classification/knn/dist_test_knn_epoch.sh SELFSUP_CONFIG EPOCH [args]
# epoch_EPOCH.pth is looked for in $WORK_DIR, the --work-dir our launchers
# recorded, work_dirs/<config>/, work_dirs/<config path>/,
# work_dirs/selfsup/<algo>/<config>/, ...; if missing, the paths tried are listed.
# POSIX sh (runs under sh/dash and bash); the work is done by
# tools/misc/launch.py (checks, flag translation, GPUS=0 -> one process
# with --launcher none; DRY_RUN=1 prints the command instead).
exec "${PYTHON:-python}" "$(dirname "$0")/../../../tools/misc/launch.py" knn-epoch "$@"
