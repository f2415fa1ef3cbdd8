#!/usr/bin/env bash
# Create (once) the project's virtual environment in .venv and install the
# pinned OpenMMLab stack (see requirements.txt for why each pin is there).
# Idempotent: a second run only checks a stamp file and returns in a second.
# Usage: source-able or runnable; prints the python path on success.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${SHT_VENV:-$ROOT/.venv}"
STAMP="$VENV/.sht-stack-ok"
REQ_HASH="$(sha256sum "$ROOT/requirements.txt" "$ROOT/setup.py" | sha256sum | cut -c1-16)"
if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$REQ_HASH" ]]; then
  exit 0
fi
PY="${PYTHON:-python3}"
log() { echo "[setup_env] $*" >&2; }
if [[ ! -x "$VENV/bin/python" ]]; then
  log "creating virtual environment in $VENV"
  "$PY" -m venv "$VENV"
fi
VPY="$VENV/bin/python"
PIP=("$VPY" -m pip --disable-pip-version-check)
# Some hosts' pip config names local package folders that may be absent; pip
# then prints one warning per package. Keep the log readable.
quiet_pip() { "${PIP[@]}" "$@" 2> >(grep -v "^WARNING: Location 'file:" >&2); }
log "installing torch, numpy, opencv and build tools (first time: several GB, cached afterwards)"
quiet_pip install -q --upgrade pip
quiet_pip install -q "torch==2.5.1" "torchvision==0.20.1" "numpy<2" "opencv-python<4.12" \
  "setuptools>=64,<81" wheel
if ! "$VPY" -c "import mmcv, mmcv.ops" >/dev/null 2>&1; then
  log "installing mmcv 2.1.0 with its ops (built from source the first time, about 7 minutes on 2 cores; pip caches the wheel)"
  MMCV_WITH_OPS=1 MAX_JOBS="${MAX_JOBS:-2}" quiet_pip install -q --no-build-isolation "mmcv==2.1.0"
fi
log "installing mmpose/mmdet (without chumpy) and their runtime needs"
quiet_pip install -q --no-deps "mmpose==1.3.2" "mmdet==3.3.0"
quiet_pip install -q "mmengine==0.10.7" json_tricks munkres scipy six xtcocotools \
  "numpy<2" "opencv-python<4.12" matplotlib tqdm pytest scikit-image onnx onnxruntime \
  pycocotools shapely terminaltables
log "installing the sht package (editable)"
quiet_pip install -q --no-deps --no-build-isolation -e "$ROOT"
"$VPY" -c "import mmcv.ops, mmpose.apis, sht" >/dev/null
echo "$REQ_HASH" > "$STAMP"
log "environment ready: $VPY"
