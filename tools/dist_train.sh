#!/usr/bin/env bash
# Distributed training with mmpretrain's train.py (the script `mim train
# mmpretrain` runs), MMSelfSup-compatible:
#   bash tools/dist_train.sh CONFIG GPUS [--work-dir DIR] [--resume [CKPT]]
#        [--deterministic] [--seed N] [--diff-seed] [--amp]
#        [--cfg-options k=v ...]
# Environment (as in the seeds): NNODES, NODE_RANK, PORT, MASTER_ADDR.
set -euo pipefail
if [ $# -lt 2 ]; then
    echo "usage: $0 CONFIG GPUS [train.py args]" >&2
    exit 2
fi
CONFIG=$1
GPUS=$2
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
PORT=${PORT:-29500}
MASTER_ADDR=${MASTER_ADDR:-"127.0.0.1"}
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PYTHON=${PYTHON:-python}

# Translate the seeds' flags to mmpretrain's train.py and locate the script.
mapfile -t TRAIN_ARGS < <("$PYTHON" "$ROOT/tools/misc/seed_args.py" train "${@:3}")
TRAIN_PY=$("$PYTHON" "$ROOT/tools/misc/seed_args.py" train-script)

PYTHONPATH="$ROOT:${PYTHONPATH:-}" \
"$PYTHON" -m torch.distributed.run \
    --nnodes="$NNODES" \
    --node_rank="$NODE_RANK" \
    --master_addr="$MASTER_ADDR" \
    --nproc_per_node="$GPUS" \
    --master_port="$PORT" \
    "$TRAIN_PY" "$CONFIG" --launcher pytorch "${TRAIN_ARGS[@]}"
