#!/usr/bin/env bash
# Installs what omnisync needs to build and test, skipping whatever is already there:
# the wasm32 Rust target, wasm-bindgen-cli at the version in Cargo.lock, Chromium, its
# driver and a Java runtime (Debian packages), and the npm packages of package-lock.json
# (binaryen for wasm-opt, typescript for the declaration check, the test tools).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '==> %s\n' "$*"; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    step "Rust target wasm32-unknown-unknown: present"
else
    step "Rust target wasm32-unknown-unknown: installing"
    rustup target add wasm32-unknown-unknown
fi

bindgen_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3 }' Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" = "$bindgen_version" ]; then
    step "wasm-bindgen-cli $bindgen_version: present"
else
    # Not --locked: the registry mirror here cannot serve the locked set.
    step "wasm-bindgen-cli $bindgen_version: installing (a few minutes on a new machine)"
    cargo install wasm-bindgen-cli --version "$bindgen_version" --force
fi

# Debian packages: Chromium and its driver (browser tests), a Java runtime (the PMD
# engine of Salesforce Code Analyzer, run by npm run test:sf).
apt_packages=()
if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then
    step "Chromium and ChromeDriver: present"
else
    apt_packages+=(chromium chromium-driver)
fi
if command -v java >/dev/null; then
    step "Java runtime: present"
else
    apt_packages+=(default-jre-headless)
fi
if [ ${#apt_packages[@]} -gt 0 ]; then
    step "Debian packages: installing ${apt_packages[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${apt_packages[@]}" >/dev/null
fi

# wasm-opt (binaryen) shrinks the bundle; tsc (typescript) checks the shim's declarations.
if [ -x node_modules/.bin/wasm-opt ] && [ -x node_modules/.bin/tsc ] \
    && [ node_modules/.package-lock.json -nt package-lock.json ]; then
    step "npm packages: present"
else
    step "npm packages: installing"
    # Not `npm ci`: npm leaves other platforms' optional rollup builds out of the lock
    # file and then `npm ci` refuses it as out of sync. `npm install` keeps the locked
    # versions and installs the same tree.
    npm install --no-audit --no-fund --loglevel=error
fi
