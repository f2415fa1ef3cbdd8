#!/usr/bin/env bash
# The prepared GPU check: on a machine with one CUDA GPU, in under 8 minutes,
# prints DHLN-M and SHN FPS at batch 1 and 16 (fp32 and AMP) beside the
# paper's 80 / 120 FPS ratio, and the SHT-M 8-pair training step time and
# peak memory with and without activation checkpointing (with_cp), fp32 and
# AMP; writes everything as JSON (library code: projects/sht/utils/gpu_check.py).
#
#   bash tools/analysis/gpu_check.sh                       # -> work_dirs/gpu_check/gpu_check.json
#   bash tools/analysis/gpu_check.sh --out FILE.json
#   bash tools/analysis/gpu_check.sh --dry-run             # the plan only, no model built
#   bash tools/analysis/gpu_check.sh --device cpu --shn TINY.py --dhln TINY.py --sht TINY.py
#
# Random weights (speed and memory only; nothing is downloaded). Options:
# --batch-sizes, --pairs, --repeats, --train-repeats, --budget-s (soft time
# limit, default 420 s), --skip inference|train; --help lists them.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PY="${SHT_VENV:-$ROOT/.venv}/bin/python"
if [ ! -x "$PY" ]; then
  echo "gpu_check.sh: no Python at $PY (run bash tools/setup_env.sh, or set SHT_VENV)" >&2
  exit 2
fi
export PYTHONPATH="$ROOT/projects${PYTHONPATH:+:$PYTHONPATH}"
cd "$ROOT"
exec "$PY" -m sht.utils.gpu_check "$@"
