#!/usr/bin/env bash
# Fine-tune an mmseg model from a pretrained backbone through MIM.
#
#   bash benchmarks/mmsegmentation/mim_dist_train.sh CONFIG PRETRAIN GPUS [ARGS...]
#
# CONFIG    an mmseg config, e.g. one under configs/benchmarks/mmsegmentation/
# PRETRAIN  backbone weights (tools/model_converters/extract_backbone_weights.py)
#           or a whole pretraining checkpoint (its backbone.* keys are used)
# GPUS      processes on this machine; 0 = one CPU process (launcher none)
# ARGS      passed to mmseg's tools/train.py, e.g. --amp, --resume, or
#           --cfg-options key=value ... (merged after the PRETRAIN options)
# Environment: PORT (default 29500), WORK_DIR (default
#   work_dirs/benchmarks/mmseg/<config name>/<pretrain name>), PYTHON.
#
# Before training, tools/benchmarks/check_transfer_pretrain.py stops with a
# message if mmcv's compiled ops are missing (fix: make mmcv-full), if CONFIG
# or PRETRAIN is missing, if CONFIG is not an mmseg config, if PRETRAIN is a
# Sobel (2-channel) backbone or does not match the config's backbone.
# Started as `sh script.sh` (dash on Debian): re-run under bash.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -e
if [ $# -lt 3 ]; then
    sed -n '2,18p' "$0" >&2
    echo "usage: $0 CONFIG PRETRAIN GPUS [ARGS...] (got $# arguments)" >&2
    exit 2
fi
CFG=$1
PRETRAIN=$2
GPUS=$3
shift 3
PORT=${PORT:-29500}
source "$(dirname "$0")/../../tools/benchmarks/transfer_launch.sh"
transfer_prepare mmseg "$CFG" "$PRETRAIN" "$@"

if [ "$GPUS" = 0 ]; then
    LAUNCH=(--launcher none --gpus 0)
else
    LAUNCH=(--launcher pytorch --gpus "$GPUS" --port "$PORT")
fi
set -x
mim train mmseg "$CFG" "${LAUNCH[@]}" --work-dir "$WORK_DIR" \
    "${OTHER_ARGS[@]}" --cfg-options "${CFG_OPTS[@]}"
