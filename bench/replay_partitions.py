#!/usr/bin/env python3
"""The per-agent replay as a distributed engine would run it: the generic trace of
bench/replay.mjs split into partitions by agent (as an export partitioned by agent
is), `omnisync_replay.replay_partition` (bindings/python, built with maturin) called
once per partition by a pool of workers, as Spark's applyInPandas calls its function
per group, and the partition reports summed. The sum must equal the report of one
run over the whole file; the time is what a cluster of this many cores would spend.

    cd bindings/python && maturin build --release && pip install target/wheels/*.whl
    python3 bench/replay_partitions.py --dir /tmp/omnisync-replay/500x30 [--partitions 8] [--workers 2]
"""

import argparse
import gzip
import json
import os
import re
import time
import zlib
from concurrent.futures import ThreadPoolExecutor

import omnisync_replay

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIX = os.path.join(ROOT, "tests", "fixtures", "replay")
AGENT = re.compile(rb'"agent":"([^"]*)"')


def read(name):
    with open(os.path.join(FIX, name), encoding="utf-8") as f:
        return f.read()


def split(trace, out_dir, partitions):
    """Writes part-NN.jsonl.gz: every line of an agent in the same partition."""
    os.makedirs(out_dir, exist_ok=True)
    paths = [os.path.join(out_dir, f"part-{i:02}.jsonl.gz") for i in range(partitions)]
    outs = [gzip.open(p, "wb", compresslevel=1) for p in paths]
    with gzip.open(trace, "rb") as f:
        for line in f:
            m = AGENT.search(line)
            outs[zlib.crc32(m.group(1)) % partitions if m else 0].write(line)
    for o in outs:
        o.close()
    return paths


def replay(paths):
    report = omnisync_replay.replay_partition(
        read("current.json"), read("proposed-lunch-is-break.json"),
        [("trace", p) for p in paths], catalog=read("catalog.json"))
    return json.loads(report)


def merge(reports):
    """Sums partition reports: the same figures as one report over all partitions."""
    total = {"agents": 0, "events": 0, "replayedEvents": 0, "agentChanges": 0,
             "syncChanges": 0, "ambiguous": 0, "rules": {}, "omni": {}, "telephony": {},
             "differences": 0, "first": [], "textBytes": 0}
    for r in reports:
        for key in ("agents", "events", "replayedEvents"):
            total[key] += r[key]
        a = r["attribution"]
        total["agentChanges"] += a["agentChanges"]
        total["syncChanges"] += a["syncChanges"]
        total["ambiguous"] += a["ambiguous"]
        for row in r["rules"]:
            t = total["rules"].setdefault(row["rule"], [0, 0, 0])
            for i, k in enumerate(("history", "current", "proposed")):
                t[i] += row[k]
        for side in ("omni", "telephony"):
            for row in r["statuses"][side]:
                t = total[side].setdefault(row["status"], [0, 0, 0])
                for i, k in enumerate(("historySeconds", "currentSeconds", "proposedSeconds")):
                    t[i] += row[k]
        total["differences"] += r["differences"]["total"]
        total["first"] += r["differences"]["first"]
        total["textBytes"] += sum(i["textBytes"] for i in r["inputs"])
    total["first"] = sorted(total["first"], key=lambda d: (d["at"], d["agent"]))[:50]
    return total


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True, help="a directory bench/replay.mjs --keep wrote")
    ap.add_argument("--partitions", type=int, default=8)
    ap.add_argument("--workers", type=int, default=os.cpu_count())
    o = ap.parse_args()
    parts = os.path.join(o.dir, f"partitions-{o.partitions}")
    t0 = time.time()
    paths = split(os.path.join(o.dir, "trace.jsonl.gz"), parts, o.partitions)
    print(f"split into {o.partitions} partitions in {time.time() - t0:.1f} s")
    t0 = time.time()
    with ThreadPoolExecutor(max_workers=o.workers) as pool:
        reports = list(pool.map(lambda p: replay([p]), paths))
    spent = time.time() - t0
    merged = merge(reports)
    t0 = time.time()
    whole = merge([replay(paths)])
    whole_spent = time.time() - t0
    # Seconds per status are floored per report: sums of partitions may differ by
    # less than one second per partition.
    for side in ("omni", "telephony"):
        for status, secs in whole[side].items():
            for a, b in zip(secs, merged[side][status]):
                assert abs(a - b) <= o.partitions, (side, status, secs, merged[side][status])
        merged[side] = whole[side]
    assert merged == whole, "the partitions' sum differs from one run over every file"
    events = merged["events"]
    print(json.dumps({
        "partitions": o.partitions, "workers": o.workers, "agents": merged["agents"],
        "events": events, "textBytes": merged["textBytes"],
        "seconds": round(spent, 2), "eventsPerSecond": round(events / spent),
        "mbPerSecond": round(merged["textBytes"] / 1e6 / spent, 1),
        "oneCallOverEveryPartitionSeconds": round(whole_spent, 2),
        "sumEqualsOneRun": True,
    }, indent=2))


if __name__ == "__main__":
    main()
