#!/usr/bin/env bash
# Slurm twin of dist_train_linear.sh.
# Usage: GPUS=8 bash benchmarks/classification/slurm_train_linear.sh PARTITION CONFIG PRETRAIN [KEY=VALUE ...]
set -euo pipefail
if [ $# -lt 3 ]; then
    echo "Usage: $0 PARTITION CONFIG PRETRAIN [KEY=VALUE ...]" >&2; exit 2
fi
PARTITION=$1
CFG=$2
PRETRAIN=$3
shift 3
GPUS=${GPUS:-8}
GPUS_PER_NODE=${GPUS_PER_NODE:-8}
CPUS_PER_TASK=${CPUS_PER_TASK:-5}
SRUN_ARGS=${SRUN_ARGS:-""}
WORK_DIR=${WORK_DIR:-work_dirs/benchmarks/classification/$(basename "${CFG%.*}")/$(basename "${PRETRAIN%.*}")}

PYTHONPATH="$(dirname "$0")/../..":${PYTHONPATH:-} \
mim train mmpretrain "$CFG" \
    --launcher slurm --gpus "$GPUS" --gpus-per-node "$GPUS_PER_NODE" \
    --cpus-per-task "$CPUS_PER_TASK" --partition "$PARTITION" \
    --srun-args "$SRUN_ARGS" --work-dir "$WORK_DIR" \
    --cfg-options model.backbone.init_cfg.type=Pretrained \
    model.backbone.init_cfg.checkpoint="$PRETRAIN" \
    model.backbone.init_cfg.prefix=backbone. "$@"
