#!/usr/bin/env bash
# Distributed training with torchrun: bash tools/dist_train.sh CONFIG GPUS [ARGS]
# On a CPU-only host the processes use gloo (see sht/utils/launch.py).
source "$(dirname "$0")/launchers.sh"
dist_run train.py $2 $1 --launcher pytorch ${@:3}
