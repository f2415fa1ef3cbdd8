# Shell functions of dist_train.sh, dist_test.sh, slurm_train.sh and
# slurm_test.sh (sourced by them, not run by itself): start a script of
# tools/ with the project's packages on PYTHONPATH.
# Environment: PYTHON (default python); torchrun: NNODES, NODE_RANK, PORT,
# MASTER_ADDR; slurm: GPUS, GPUS_PER_NODE, CPUS_PER_TASK, SRUN_ARGS.
TOOLS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PYTHON=${PYTHON:-python}
export PYTHONPATH="$TOOLS_DIR/../projects":$PYTHONPATH

# dist_run SCRIPT GPUS [ARGS]: torchrun tools/SCRIPT with ARGS on GPUS
# processes per node. On a CPU-only host the processes use gloo (see
# sht/utils/launch.py).
dist_run() {
    local script=$1 gpus=$2
    shift 2
    $PYTHON -m torch.distributed.run \
        --nnodes=${NNODES:-1} \
        --node_rank=${NODE_RANK:-0} \
        --master_addr=${MASTER_ADDR:-"127.0.0.1"} \
        --nproc_per_node=$gpus \
        --master_port=${PORT:-29500} \
        "$TOOLS_DIR/$script" "$@"
}

# slurm_run PARTITION JOB_NAME SCRIPT [ARGS]: tools/SCRIPT with ARGS as a
# slurm job of GPUS tasks (GPUS_PER_NODE per node).
slurm_run() {
    local partition=$1 job_name=$2 script=$3
    local gpus=${GPUS:-8} gpus_per_node=${GPUS_PER_NODE:-8}
    shift 3
    srun -p ${partition} \
        --job-name=${job_name} \
        --gres=gpu:${gpus_per_node} \
        --ntasks=${gpus} \
        --ntasks-per-node=${gpus_per_node} \
        --cpus-per-task=${CPUS_PER_TASK:-5} \
        --kill-on-bad-exit=1 \
        ${SRUN_ARGS} \
        $PYTHON -u "$TOOLS_DIR/$script" "$@"
}
