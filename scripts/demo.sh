#!/usr/bin/env bash
# Sets up (scripts/setup.sh), builds the wasm bundle and serves the local Service
# Console demo on 127.0.0.1 with the default rules (www/demo/default-rules.json).
# PORT=9000 bash scripts/demo.sh to use another port; Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
bash scripts/build-wasm.sh
echo
echo "==> open http://127.0.0.1:${PORT:-8080}/demo/ (two tabs show the one-acting-tab leadership)"
exec node scripts/serve.mjs --port "${PORT:-8080}"
