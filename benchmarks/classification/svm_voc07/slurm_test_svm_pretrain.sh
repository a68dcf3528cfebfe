#!/usr/bin/env bash
# Slurm twin of dist_test_svm_pretrain.sh (one task per GPU).
# Usage: GPUS=8 bash benchmarks/classification/svm_voc07/slurm_test_svm_pretrain.sh \
#            PARTITION JOB_NAME SELFSUP_CONFIG PRETRAIN "FEATURE_LIST" [extra args]
set -euo pipefail
if [ $# -lt 5 ]; then
    echo "Usage: $0 PARTITION JOB_NAME SELFSUP_CONFIG PRETRAIN \"FEATURE_LIST\" [extra args]" >&2; exit 2
fi
PARTITION=$1
JOB_NAME=$2
CFG=$3
PRETRAIN=$4
FEAT_LIST=$5
shift 5
GPUS=${GPUS:-8}
GPUS_PER_NODE=${GPUS_PER_NODE:-8}
CPUS_PER_TASK=${CPUS_PER_TASK:-5}
SRUN_ARGS=${SRUN_ARGS:-""}
VOC_ROOT=${VOC_ROOT:-data/VOCdevkit/VOC2007}
WORK_DIR=${WORK_DIR:-work_dirs/benchmarks/svm_voc07/$(basename "${CFG%.*}")/$(basename "${PRETRAIN%.*}")}
LOW_SHOT_ARG=""
[ "${LOW_SHOT:-0}" = "1" ] && LOW_SHOT_ARG="--low-shot"
DATA_ARGS="--voc-root $VOC_ROOT"
case " $* " in *" --train-ann "*) DATA_ARGS="";; esac

# srun sets SLURM_PROCID; map it to the torch.distributed variables.
# shellcheck disable=SC2086
PYTHONPATH="$(dirname "$0")/../../..":${PYTHONPATH:-} \
srun -p "$PARTITION" --job-name="$JOB_NAME" --gres=gpu:"$GPUS_PER_NODE" \
    --ntasks="$GPUS" --ntasks-per-node="$GPUS_PER_NODE" \
    --cpus-per-task="$CPUS_PER_TASK" --kill-on-bad-exit=1 $SRUN_ARGS \
    bash -c 'export RANK=$SLURM_PROCID WORLD_SIZE=$SLURM_NTASKS LOCAL_RANK=$SLURM_LOCALID \
        MASTER_ADDR=$(scontrol show hostnames "$SLURM_JOB_NODELIST" | head -n1) MASTER_PORT=${PORT:-29500}; \
        exec python "$0" "$@"' \
    "$(dirname "$0")/svm_voc07.py" "$CFG" --checkpoint "$PRETRAIN" \
    --features $FEAT_LIST $DATA_ARGS $LOW_SHOT_ARG --work-dir "$WORK_DIR" "$@"
