#!/usr/bin/env bash
# kNN evaluation of a checkpoint (full self-supervised checkpoint or an
# extracted backbone), as in MMSelfSup:
#   [GPUS=8] [PORT=29500] bash benchmarks/classification/knn/dist_test_knn_pretrain.sh \
#       SELFSUP_CONFIG PRETRAIN [test_knn.py args, e.g. --ks 10 20 100 200]
# GPUS=0 runs one CPU process. The config needs knn_train_dataloader and
# knn_test_dataloader (see configs/_base_/datasets/fashion-mnist_knn.py).
set -euo pipefail
if [ $# -lt 2 ]; then
    echo "usage: $0 SELFSUP_CONFIG PRETRAIN [test_knn.py args]" >&2
    exit 2
fi
CFG=$1
PRETRAIN=$2
DIR="$(cd "$(dirname "$0")" && pwd)"
exec bash "$DIR/_knn_launch.sh" "$CFG" "$PRETRAIN" "${@:3}"
