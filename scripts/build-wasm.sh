#!/usr/bin/env bash
# Builds the wasm bundle: release build, wasm-bindgen glue for the browser (pkg/web)
# and for node (pkg/node), each optimised for size with the npm package binaryen's
# wasm-opt (Debian's wasm-opt produces broken output: never /usr/bin/wasm-opt).
# Prints the sizes, raw and gzip -9.
#
#   bash scripts/build-wasm.sh [--test]
#
# --test: first also the test build's node glue (pkg/test-node): the shipped code plus
# the `Tab` class the JavaScript conformance runner drives (feature tab-class), which
# the bundle does not carry.
set -euo pipefail
cd "$(dirname "$0")/.."
# The binding crate (crates/wasm); its glue and wasm keep the name omnisync.
wasm=target/wasm32-unknown-unknown/wasm/omnisync_wasm.wasm

if [[ "${1:-}" == "--test" ]]; then
    cargo build --profile wasm --lib --target wasm32-unknown-unknown -p omnisync-wasm --features tab-class
    rm -rf pkg/test-node
    wasm-bindgen --target nodejs --out-dir pkg/test-node --out-name omnisync "$wasm"
    echo '{"type": "commonjs"}' >pkg/test-node/package.json
fi

# The wasm profile: release, with panics aborting (nothing unwinds across the boundary).
cargo build --profile wasm --lib --target wasm32-unknown-unknown -p omnisync-wasm
for target in web nodejs; do
    out="pkg/${target/nodejs/node}"
    rm -rf "$out"
    wasm-bindgen --target "$target" --out-dir "$out" --out-name omnisync "$wasm"
    node_modules/.bin/wasm-opt -Oz --converge --enable-bulk-memory --enable-nontrapping-float-to-int \
        --enable-sign-ext --enable-mutable-globals \
        "$out/omnisync_bg.wasm" -o "$out/omnisync_bg.wasm"
done
# The shim imports the glue as ./pkg/ from www/, as it is laid out when served.
ln -sfn ../pkg/web www/pkg
# The node glue is CommonJS; the repository's package.json says "module".
echo '{"type": "commonjs"}' >pkg/node/package.json

gz() { gzip -9 -c "$1" | wc -c; }
printf '%-28s %10s %10s\n' file bytes gzip-9
for f in pkg/web/omnisync_bg.wasm pkg/web/omnisync.js; do
    printf '%-28s %10d %10d\n' "$f" "$(wc -c <"$f")" "$(gz "$f")"
done
