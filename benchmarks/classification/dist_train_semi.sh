#!/usr/bin/env bash
# Semi-supervised fine-tuning (1 %/10 % subsets) of a pretrained backbone with mmpretrain.
# Usage: GPUS=8 bash benchmarks/classification/dist_train_semi.sh CONFIG PRETRAIN [KEY=VALUE ...]
# Same launch as dist_train_linear.sh: the semi-supervised configs differ only
# in data subset and learning rates.
exec bash "$(dirname "$0")/dist_train_linear.sh" "$@"
