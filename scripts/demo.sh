#!/usr/bin/env bash
# Sets up (scripts/setup.sh), builds the wasm bundle and walks a short agent shift
# through the real wasm engine with the default rules (examples/design-section-3.json).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
bash scripts/build-wasm.sh
echo
node examples/walkthrough.mjs "$@"
