#!/bin/sh
# VOC07 SVM and low-shot SVM (LOW_SHOT=0: full SVMs only) of a pretrained backbone:
#   bash benchmarks/classification/svm_voc07/dist_test_svm_pretrain.sh SELFSUP_CONFIG GPUS PRETRAIN ["FEATURE_LIST"] [args]
# FEATURE_LIST: "feat5" (default, as MMSelfSup) or "feat1 feat2 feat3 feat4 feat5".
# VOC_ROOT (default data/VOCdevkit/VOC2007); args e.g. --train-ann a.txt
# --test-ann b.txt for another multi-label set. GPUS=0: one CPU process.
# WORK_DIR (default work_dirs/benchmarks/svm_voc07/<config>/<pretrain>).
# POSIX sh (runs under sh/dash and bash); the work is done by
# tools/misc/launch.py (checks, flag translation, GPUS=0 -> one process
# with --launcher none; DRY_RUN=1 prints the command instead).
exec "${PYTHON:-python}" "$(dirname "$0")/../../../tools/misc/launch.py" svm-pretrain "$@"
