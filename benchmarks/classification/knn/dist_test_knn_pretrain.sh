#!/bin/sh
# Weighted kNN of a checkpoint (full self-supervised checkpoint, extracted
# backbone or URL), as in MMSelfSup:
#   [GPUS=8] bash benchmarks/classification/knn/dist_test_knn_pretrain.sh SELFSUP_CONFIG PRETRAIN [args]
# args: test_knn.py's (--ks, --temperature, --cfg-options ...) or MMSelfSup's
# (--dataset-config FILE, --num-knn K..., --work-dir DIR). The splits are the
# config's knn_train/test_dataloader, else configs/benchmarks/classification/
# knn_imagenet.py. GPUS=0: one CPU process. Results: OUT_DIR (default
# <checkpoint dir>/knn)/<checkpoint>.json.
# POSIX sh (runs under sh/dash and bash); the work is done by
# tools/misc/launch.py (checks, flag translation, GPUS=0 -> one process
# with --launcher none; DRY_RUN=1 prints the command instead).
exec "${PYTHON:-python}" "$(dirname "$0")/../../../tools/misc/launch.py" knn-pretrain "$@"
