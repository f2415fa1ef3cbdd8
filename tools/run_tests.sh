#!/usr/bin/env bash
# The test suite: sets up .venv on first use (tools/setup_env.sh), then runs
# pytest on tests/. Extra arguments go to pytest (e.g. -k dhln).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/tools/setup_env.sh"
cd "$ROOT"
exec "$ROOT/.venv/bin/python" -m pytest tests "$@"
