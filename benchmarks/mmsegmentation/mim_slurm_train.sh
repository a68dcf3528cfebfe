#!/usr/bin/env bash
# Fine-tune an mmseg model from a pretrained backbone through MIM on Slurm.
#
#   bash benchmarks/mmsegmentation/mim_slurm_train.sh PARTITION CONFIG PRETRAIN [ARGS...]
#
# PARTITION Slurm partition
# CONFIG    an mmseg config, e.g. one under configs/benchmarks/mmsegmentation/
# PRETRAIN  backbone weights (tools/model_converters/extract_backbone_weights.py)
#           or a whole pretraining checkpoint (its backbone.* keys are used)
# ARGS      passed to mmseg's tools/train.py, e.g. --cfg-options key=value ...
#           (merged after the PRETRAIN options)
# Environment: GPUS (8), GPUS_PER_NODE (8), CPUS_PER_TASK (5), SRUN_ARGS,
#   WORK_DIR (default work_dirs/benchmarks/mmseg/<config>/<pretrain>), PYTHON.
#
# The pre-flight check (tools/benchmarks/check_transfer_pretrain.py) runs here,
# before the job is submitted; see mim_dist_train.sh for what it checks.
# Started as `sh script.sh` (dash on Debian): re-run under bash.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -e
if [ $# -lt 3 ]; then
    sed -n '2,16p' "$0" >&2
    echo "usage: $0 PARTITION CONFIG PRETRAIN [ARGS...] (got $# arguments)" >&2
    exit 2
fi
PARTITION=$1
CFG=$2
PRETRAIN=$3
shift 3
GPUS=${GPUS:-8}
GPUS_PER_NODE=${GPUS_PER_NODE:-8}
CPUS_PER_TASK=${CPUS_PER_TASK:-5}
SRUN_ARGS=${SRUN_ARGS:-""}
source "$(dirname "$0")/../../tools/benchmarks/transfer_launch.sh"
transfer_prepare mmseg "$CFG" "$PRETRAIN" "$@"

set -x
mim train mmseg "$CFG" --launcher slurm --gpus "$GPUS" \
    --gpus-per-node "$GPUS_PER_NODE" --cpus-per-task "$CPUS_PER_TASK" \
    --partition "$PARTITION" --srun-args "$SRUN_ARGS" --work-dir "$WORK_DIR" \
    "${OTHER_ARGS[@]}" --cfg-options "${CFG_OPTS[@]}"
