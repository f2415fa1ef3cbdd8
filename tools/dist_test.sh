#!/usr/bin/env bash
# Distributed testing with torchrun: bash tools/dist_test.sh CONFIG CHECKPOINT GPUS [ARGS]
# On a CPU-only host the processes use gloo (see sht/utils/launch.py).
source "$(dirname "$0")/launchers.sh"
dist_run test.py $3 $1 $2 --launcher pytorch ${@:4}
