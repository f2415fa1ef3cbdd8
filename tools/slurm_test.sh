#!/usr/bin/env bash
# Evaluation on a slurm cluster:
#   GPUS=8 bash tools/slurm_test.sh PARTITION JOB_NAME CONFIG CHECKPOINT [ARGS]
# (GPUS_PER_NODE, CPUS_PER_TASK, SRUN_ARGS: see launchers.sh)
source "$(dirname "$0")/launchers.sh"
set -x
slurm_run $1 $2 test.py $3 $4 --launcher="slurm" ${@:5}
