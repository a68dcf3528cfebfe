#!/usr/bin/env bash
# Linear / multi-head evaluation of a pretrained backbone with mmpretrain.
# Usage: GPUS=8 bash benchmarks/classification/dist_train_linear.sh CONFIG PRETRAIN [KEY=VALUE ...]
#   CONFIG   a config under configs/benchmarks/classification/
#   PRETRAIN a self-supervised checkpoint or a file from
#            tools/model_converters/extract_backbone_weights.py (both keep the
#            "backbone." prefix, loaded as model.backbone.init_cfg).
#   KEY=VALUE extra --cfg-options, e.g. train_cfg.max_epochs=1 (GPUS=0: CPU, no launcher)
set -euo pipefail
if [ $# -lt 2 ]; then
    echo "Usage: $0 CONFIG PRETRAIN [KEY=VALUE ...]" >&2; exit 2
fi
CFG=$1
PRETRAIN=$2
shift 2
if [ ! -f "$PRETRAIN" ]; then
    echo "PRETRAIN checkpoint '$PRETRAIN' does not exist: pass a .pth from the pretraining work_dir." >&2
    exit 2
fi
GPUS=${GPUS:-8}
PORT=${PORT:-29500}
WORK_DIR=${WORK_DIR:-work_dirs/benchmarks/classification/$(basename "${CFG%.*}")/$(basename "${PRETRAIN%.*}")}
LAUNCHER=pytorch
[ "$GPUS" -eq 0 ] && LAUNCHER=none

PYTHONPATH="$(dirname "$0")/../..":${PYTHONPATH:-} \
mim train mmpretrain "$CFG" \
    --launcher "$LAUNCHER" --gpus "$GPUS" --port "$PORT" \
    --work-dir "$WORK_DIR" \
    --cfg-options model.backbone.init_cfg.type=Pretrained \
    model.backbone.init_cfg.checkpoint="$PRETRAIN" \
    model.backbone.init_cfg.prefix=backbone. "$@"
