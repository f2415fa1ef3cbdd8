#!/usr/bin/env bash
# Training on a slurm cluster:
#   GPUS=8 bash tools/slurm_train.sh PARTITION JOB_NAME CONFIG WORK_DIR [ARGS]
# (GPUS_PER_NODE, CPUS_PER_TASK, SRUN_ARGS: see launchers.sh)
source "$(dirname "$0")/launchers.sh"
set -x
slurm_run $1 $2 train.py $3 --work-dir=$4 --launcher="slurm" ${@:5}
