#!/usr/bin/env bash
# Slurm twin of dist_train_semi.sh.
# Usage: GPUS=8 bash benchmarks/classification/slurm_train_semi.sh PARTITION CONFIG PRETRAIN [KEY=VALUE ...]
# Same launch as slurm_train_linear.sh: the semi-supervised configs differ only
# in data subset and learning rates.
exec bash "$(dirname "$0")/slurm_train_linear.sh" "$@"
