#!/usr/bin/env bash
# The Python wheel (crates/py, `omnisync_replay`): formatting and clippy of its crate (a
# workspace of its own), then, in a virtual environment under target/pyenv (maturin and
# pandas from PyPI), the wheel built, installed and tested (crates/py/tests) against the
# release CLI. Prints "N passed, M failed" last, for scripts/test.sh's tally.
# Bench/partitioned.py uses the same environment (--setup-only prepares it).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '==> %s\n' "$*"; }

venv="$PWD/target/pyenv"
if [ ! -x "$venv/bin/python" ]; then
    step "Python environment: creating target/pyenv"
    # Debian's own python3 keeps venv in a package of its own.
    python3 -m venv "$venv" 2>/dev/null || {
        apt-get install -y -qq python3-venv >/dev/null 2>&1 || true
        python3 -m venv "$venv"
    }
fi
if "$venv/bin/python" -c "import maturin, pandas" 2>/dev/null; then
    step "maturin and pandas: present"
else
    step "maturin and pandas: installing"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check maturin pandas
fi

step "cargo fmt --check and clippy (crates/py)"
cargo fmt --check --manifest-path crates/py/Cargo.toml
CARGO_TARGET_DIR=target cargo clippy --quiet --manifest-path crates/py/Cargo.toml -- -D warnings

step "the wheel: maturin build --release, installed in target/pyenv"
cargo build --release --quiet --bin omnisync
rm -f target/wheels/omnisync_replay-*.whl
CARGO_TARGET_DIR=target "$venv/bin/python" -m maturin build --quiet --release \
    -m crates/py/Cargo.toml -o target/wheels
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps \
    target/wheels/omnisync_replay-*.whl
[ "${1:-}" = "--setup-only" ] && exit 0

step "Python tests (crates/py/tests) against target/release/omnisync"
# From elsewhere than crates/py, so that the installed package is the one imported.
log=$(mktemp)
status=0
(cd target && "$venv/bin/python" -m unittest discover -s ../crates/py/tests -v) 2>&1 | tee "$log" \
    || status=$?
ran=$(awk '/^Ran [0-9]+ test/ { print $2 }' "$log")
failed=$({ grep -oE '(failures|errors)=[0-9]+' "$log" || true; } | awk -F= '{ s += $2 } END { print s + 0 }')
rm -f "$log"
echo "$(( ${ran:-0} - failed )) passed, $failed failed"
exit "$status"
