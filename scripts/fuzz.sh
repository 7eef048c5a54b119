#!/usr/bin/env bash
# Fuzzes the rules parser and the event handler for SECONDS each (default 60), then
# copies any crash into tests/fuzz-crashers/<target>/, where tests/fuzz_regressions.rs
# replays it on every `cargo test`. Not run by CI: it takes minutes and needs cargo-fuzz.
#
#   bash scripts/fuzz.sh [SECONDS]
#
# Exit status: 0 when no target crashed, 1 when one did (its input is saved either way).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
seconds=${1:-60}

# cargo-fuzz passes -Z flags (sanitizer, coverage), which only nightly accepts. The
# machine has stable Rust only; RUSTC_BOOTSTRAP=1 lets stable take them.
export RUSTC_BOOTSTRAP=1

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "==> installing cargo-fuzz"
    cargo install cargo-fuzz --locked
fi

# Seed corpora, rebuilt each run so they follow the example and the conformance suite.
# libFuzzer adds what it finds to the same folders (fuzz/corpus is git-ignored).
echo "==> seeding fuzz/corpus"
mkdir -p fuzz/corpus/rules_parser fuzz/corpus/event_handler
for f in examples/*.json; do
    cp "$f" "fuzz/corpus/rules_parser/seed-example-$(basename "$f")"
done
if command -v jq >/dev/null; then
    for f in tests/conformance/*.json; do
        name=$(basename "$f" .json)
        jq '.rules' "$f" >"fuzz/corpus/rules_parser/seed-$name.json"
        # One event per line, as the event_handler target reads them.
        jq -c '.steps[] | select(has("event")) | .event' "$f" \
            >"fuzz/corpus/event_handler/seed-$name.jsonl"
    done
else
    echo "   jq not found: no seeds from tests/conformance (apt-get install jq)"
fi
# The conformance events name other rules' statuses: add a run that hits the example's.
cat >fuzz/corpus/event_handler/seed-example.jsonl <<'EOF'
{"at":0,"type":"omni.loginSuccess","statusId":"0N5xx00000000010AA"}
{"at":10,"type":"telephony.stateChanged","newState":"Lunch","oldState":"Available"}
{"at":20,"type":"omni.statusChanged","statusId":"0N5xx00000000020AA","statusApiName":"Lunch"}
{"at":30,"type":"omni.workloadChanged","configuredCapacity":2,"previousWorkload":1,"newWorkload":2}
{"at":40,"type":"omni.workAssigned","workItemId":"500xx0000000001","workId":"0Bzxx0000000001"}
{"type":"omni.logout"}
EOF

echo "==> building the fuzz targets"
# -a: debug assertions, hence overflow checks, so arithmetic overflow is a crash too.
(cd fuzz && cargo fuzz build -a)

status=0
for target in rules_parser event_handler; do
    echo "==> fuzzing $target for ${seconds}s"
    rm -rf "fuzz/artifacts/$target"
    log="fuzz/target/$target.log"
    # -rss_limit_mb: the default 2 GB is tight for ASan on a 24 GB machine but a leak
    # or a blow-up past 4 GB is still a finding.
    # -timeout: an input that takes 10 s is a hang worth keeping, not something to wait out.
    # The full log goes to a file; only the summary and any crash lines are shown.
    (cd fuzz && cargo fuzz run -a "$target" "corpus/$target" -- \
        -max_total_time="$seconds" -timeout=10 -dict=omnisync.dict -rss_limit_mb=4096 \
        -print_final_stats=1) 2>&1 | tee "$log" |
        grep -E '^(Done [0-9]+ runs|stat::(number_of_executed_units|new_units_added)|==[0-9]+==|thread .* panicked|SUMMARY)' ||
        true
    if compgen -G "fuzz/artifacts/$target/*" >/dev/null; then
        status=1
        mkdir -p "tests/fuzz-crashers/$target"
        for artifact in "fuzz/artifacts/$target"/*; do
            cp "$artifact" "tests/fuzz-crashers/$target/"
            echo "!! $target crashed: tests/fuzz-crashers/$target/$(basename "$artifact")"
            echo "   replay: (cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run -a $target $root/tests/fuzz-crashers/$target/$(basename "$artifact"))"
        done
        echo "   full log: fuzz/target/$target.log"
    fi
done
if [ "$status" -eq 0 ]; then
    echo "==> no crash; now run: cargo test --test fuzz_regressions"
fi
exit "$status"
