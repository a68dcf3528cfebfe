# Shared part of benchmarks/{mmdetection,mmsegmentation}/mim_{dist,slurm}_train.sh.
# Source it, then call:  transfer_prepare CODEBASE CONFIG PRETRAIN [EXTRA ARGS...]
# It runs the pre-flight check (tools/benchmarks/check_transfer_pretrain.py)
# and sets:
#   OTHER_ARGS  extra arguments for the codebase's tools/train.py, minus
#               --cfg-options
#   CFG_OPTS    one merged --cfg-options list: PRETRAIN initialisation first,
#               then the user's options (train.py keeps only the last
#               --cfg-options flag, so they must be merged; later keys win)
#   WORK_DIR    $WORK_DIR or work_dirs/benchmarks/<codebase>/<config>/<pretrain>
# Exits (status 1) with the check's message when anything is wrong.

transfer_prepare() {
    local codebase=$1 cfg=$2 pretrain=$3
    shift 3
    local here
    here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
    PYTHON=${PYTHON:-python}
    OTHER_ARGS=()
    local user_opts=() in_opts=0 arg
    for arg in "$@"; do
        if [ "$arg" = "--cfg-options" ]; then
            in_opts=1
        elif [ $in_opts = 1 ] && [ "${arg#--}" = "$arg" ]; then
            user_opts+=("$arg")
        else
            in_opts=0
            OTHER_ARGS+=("$arg")
        fi
    done
    local check_args=("$codebase" "$cfg" "$pretrain" --print-cfg-options)
    if [ ${#user_opts[@]} -gt 0 ]; then
        check_args+=(--cfg-options "${user_opts[@]}")
    fi
    local out
    if ! out=$("$PYTHON" "$here/check_transfer_pretrain.py" "${check_args[@]}"); then
        echo "Stopped before training: see the message above." >&2
        exit 1
    fi
    CFG_OPTS=()
    local line
    while IFS= read -r line; do
        [ -n "$line" ] && CFG_OPTS+=("$line")
    done <<< "$out"
    CFG_OPTS+=("${user_opts[@]}")
    local cfg_name pretrain_name
    cfg_name=$(basename "${cfg%.py}")
    pretrain_name=$(basename "${pretrain%.*}")
    WORK_DIR=${WORK_DIR:-work_dirs/benchmarks/$codebase/$cfg_name/$pretrain_name}
}
