#!/usr/bin/env bash
# Sets up (scripts/setup.sh) and runs every check and test: formatting, clippy for the
# native and the wasm build, the native tests (unit, integration, conformance), the
# Python wheel's (scripts/test-py.sh: built in a venv under target/, tested against the CLI), the
# wasm tests in node and in headless Chromium, the JavaScript tests and the end-to-end
# tests of the console demo in headless Chromium, and the Salesforce package's build,
# Jest and ESLint checks.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh

echo "==> cargo fmt --check"
cargo fmt --check
echo "==> cargo clippy (native, every crate)"
cargo clippy --workspace --all-targets -- -D warnings
echo "==> cargo clippy (wasm32, with and without the test builds' features)"
cargo clippy --workspace --target wasm32-unknown-unknown --all-targets -- -D warnings
cargo clippy --workspace --target wasm32-unknown-unknown --all-targets \
    --features omnisync-wasm/panic-test,omnisync-wasm/tab-class -- -D warnings
echo "==> no import circle among the Rust modules"
node scripts/module-imports.mjs --quiet
echo "==> the shipped bundle carries console_error_panic_hook"
tree=$(cargo tree -p omnisync-wasm --target wasm32-unknown-unknown -e normal)
for crate in console_error_panic_hook; do
    grep -q " $crate v" <<<"$tree" || { echo "$crate is missing from the wasm build" >&2; exit 1; }
done
echo "==> the core crate has no wasm crate in its dependency tree (native or wasm32)"
for target in "" "--target wasm32-unknown-unknown"; do
    # shellcheck disable=SC2086
    if cargo tree -p omnisync -e normal $target | grep -E 'wasm-bindgen|js-sys|web-sys'; then
        echo "a wasm crate leaked into the core ${target}" >&2
        exit 1
    fi
done
echo "==> native tests"
cargo test --release --workspace 2>&1 | tee target/native-tests.log
echo "==> Python wheel (crates/py): built with maturin, the fixture org agent by agent against the command"
bash scripts/test-py.sh 2>&1 | tee target/py-tests.log
# --features panic-test,tab-class: the test build only (crates/wasm/tests/wasm_panic.rs, the tab
# scenarios through the exported `Tab`); never the bundle.
echo "==> wasm tests (node and headless Chromium)"
# ChromeDriver's first start on a fresh machine can take longer than the runner's
# default 5 s to bind its port: give it two minutes (the runner retries within them).
# crates/wasm/webdriver.json (read from the crate the tests run in) adds the flags that keep Chromium off a closed network.
CHROMEDRIVER="${CHROMEDRIVER:-$(command -v chromedriver)}" \
WASM_BINDGEN_TEST_DRIVER_TIMEOUT="${WASM_BINDGEN_TEST_DRIVER_TIMEOUT:-120}" \
WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-120}" \
    cargo test --target wasm32-unknown-unknown -p omnisync-wasm --features panic-test,tab-class 2>&1 | tee target/wasm-tests.log

echo "==> JavaScript tests (conformance through the JS API, shim adapters, runtime)"
bash scripts/build-wasm.sh --test >/dev/null
node --test www/test/ 2>&1 | tee target/js-tests.log

# The shim's hand-written declarations against wasm-bindgen's (www/types/check.ts):
# one line in the tally, "types: 1 passed, 0 failed" or "types: 0 passed, 1 failed".
echo "==> tsc --noEmit: www/omnisync.d.ts against pkg/web/omnisync.d.ts"
if node_modules/.bin/tsc --noEmit -p www/types 2>&1 | tee target/types.log; then
    echo "types: 1 passed, 0 failed" | tee -a target/types.log
else
    echo "types: 0 passed, 1 failed" | tee -a target/types.log
    types_failed=1
fi

echo "==> Salesforce package: static resources, sizes, metadata conversion"
npm run --silent package:sf
echo "==> Salesforce tests: LWC and Aura Jest, ESLint, metadata checks, Code Analyzer (PMD, ESLint)"
npm run --silent test:sf 2>&1 | tee target/sf-tests.log

echo "==> end-to-end tests of the console demo and the Visualforce host in headless Chromium"
node e2e/run.mjs 2>&1 | tee target/e2e-tests.log

# One closing line over every runner (each printed its own summary above).
awk '/^test result:/ { p += $4; f += $6 }
     /^# pass / { p += $3 } /^# fail / { f += $3 }
     /^[0-9]+ passed, [0-9]+ failed$/ { p += $1; f += $3 }
     /^types: [0-9]+ passed, [0-9]+ failed$/ { p += $2; f += $4 }
     /^Tests: / { for (i = 2; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     END { printf "omnisync: %d passed, %d failed\n", p, f }' \
    target/native-tests.log target/py-tests.log target/wasm-tests.log target/js-tests.log target/types.log target/sf-tests.log \
    target/e2e-tests.log
# The type check does not stop the run (the tests after it still report), but fails it.
exit "${types_failed:-0}"
