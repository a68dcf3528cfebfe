#!/usr/bin/env bash
# Distributed testing with mmpretrain's test.py:
#   bash tools/dist_test.sh CONFIG CHECKPOINT GPUS [test.py args]
# Environment: NNODES, NODE_RANK, PORT, MASTER_ADDR.
set -euo pipefail
if [ $# -lt 3 ]; then
    echo "usage: $0 CONFIG CHECKPOINT GPUS [test.py args]" >&2
    exit 2
fi
CONFIG=$1
CHECKPOINT=$2
GPUS=$3
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
PORT=${PORT:-29500}
MASTER_ADDR=${MASTER_ADDR:-"127.0.0.1"}
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PYTHON=${PYTHON:-python}
if [ ! -f "$CHECKPOINT" ]; then
    echo "Checkpoint '$CHECKPOINT' does not exist." >&2
    exit 2
fi
mapfile -t TEST_ARGS < <("$PYTHON" "$ROOT/tools/misc/seed_args.py" test "${@:4}")
TEST_PY=$("$PYTHON" "$ROOT/tools/misc/seed_args.py" test-script)

PYTHONPATH="$ROOT:${PYTHONPATH:-}" \
"$PYTHON" -m torch.distributed.run \
    --nnodes="$NNODES" \
    --node_rank="$NODE_RANK" \
    --master_addr="$MASTER_ADDR" \
    --nproc_per_node="$GPUS" \
    --master_port="$PORT" \
    "$TEST_PY" "$CONFIG" "$CHECKPOINT" --launcher pytorch "${TEST_ARGS[@]}"
