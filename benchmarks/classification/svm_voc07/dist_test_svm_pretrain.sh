#!/usr/bin/env bash
# VOC07 SVM (+ low-shot with LOW_SHOT=1) of a pretrained backbone.
# Usage: bash benchmarks/classification/svm_voc07/dist_test_svm_pretrain.sh \
#            SELFSUP_CONFIG GPUS PRETRAIN "FEATURE_LIST" [extra svm_voc07.py args]
#   FEATURE_LIST: "feat5" or "feat1 feat2 feat3 feat4 feat5"
#   VOC_ROOT (env, default data/VOCdevkit/VOC2007); extra args e.g.
#   --train-ann a.txt --test-ann b.txt for another multi-label set.
set -euo pipefail
if [ $# -lt 4 ]; then
    echo "Usage: $0 SELFSUP_CONFIG GPUS PRETRAIN \"FEATURE_LIST\" [extra args]" >&2; exit 2
fi
CFG=$1
GPUS=$2
PRETRAIN=$3
FEAT_LIST=$4
shift 4
if [ ! -f "$PRETRAIN" ]; then
    echo "PRETRAIN '$PRETRAIN' does not exist: pass a checkpoint or an extracted backbone." >&2; exit 2
fi
PORT=${PORT:-29500}
VOC_ROOT=${VOC_ROOT:-data/VOCdevkit/VOC2007}
WORK_DIR=${WORK_DIR:-work_dirs/benchmarks/svm_voc07/$(basename "${CFG%.*}")/$(basename "${PRETRAIN%.*}")}
LOW_SHOT_ARG=""
[ "${LOW_SHOT:-0}" = "1" ] && LOW_SHOT_ARG="--low-shot"
DATA_ARGS="--voc-root $VOC_ROOT"
case " $* " in *" --train-ann "*) DATA_ARGS="";; esac

# shellcheck disable=SC2086
PYTHONPATH="$(dirname "$0")/../../..":${PYTHONPATH:-} \
python -m torch.distributed.run --nproc_per_node="$GPUS" --master_port="$PORT" \
    "$(dirname "$0")/svm_voc07.py" "$CFG" --checkpoint "$PRETRAIN" \
    --features $FEAT_LIST $DATA_ARGS $LOW_SHOT_ARG --work-dir "$WORK_DIR" "$@"
