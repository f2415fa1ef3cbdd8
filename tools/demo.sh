#!/usr/bin/env bash
# The README's main command: SHT on generated faces, on the CPU (~10 min).
#
#   1. sets up .venv on first use (tools/setup_env.sh; idempotent);
#   2. writes the synthetic faces to data/synthetic/ unless they are there
#      (labeled faces in the 300W layout, unlabeled videos in the 300VW
#      layout; tools/misc/generate_synthetic_faces.py skips up-to-date ones);
#   3. trains the four SHT phases, evaluates each phase's checkpoint beside a
#      mean-shape and a bicubic baseline, prints the table and writes the
#      pictures to work_dirs/demo/ (tools/misc/run_demo.py).
#
# A second run reuses the data and, when every phase checkpoint is in
# work_dirs/demo/, only evaluates them again. Options go to run_demo.py:
#   bash tools/demo.sh --force          # retrain from scratch
#   bash tools/demo.sh --work-dir DIR   # another output folder
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/tools/setup_env.sh"
cd "$ROOT"
PY="${SHT_VENV:-$ROOT/.venv}/bin/python"
DATA="${SHT_DEMO_DATA:-data/synthetic}"
export SHT_DEMO_DATA="$DATA"

echo "[demo] synthetic faces in $DATA"
# 200 faces per 300W subset (600 train, 600 test), 20 videos of 25 frames.
"$PY" tools/misc/generate_synthetic_faces.py "$DATA" --layouts 300w \
  --num 200 --size 128 --seed 0 --preview "$DATA/preview_300w.png"
"$PY" tools/misc/generate_synthetic_faces.py "$DATA" --layouts 300vw \
  --num 20 --frames 25 --size 128 --seed 0

echo "[demo] training and evaluating (configs/sht/demo/sht_synthetic.py)"
exec "$PY" tools/misc/run_demo.py "$@"
