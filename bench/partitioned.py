#!/usr/bin/env python3
"""The replay scaled out, measured on one machine: bench/replay.mjs's generator's
UserServicePresence and AgentWork exports split into partition files by a hash of
UserId (as a partitioned export lands: every row of an agent in one partition), then
replayed through the Python wheel (crates/py) the way Spark's applyInPandas runs it --
each partition read with pandas and grouped per agent, each agent's rows turned back
into CSV and replayed, the partition's reports merged -- on two worker processes, the
partitions' reports merged on the driver. The merged report is checked against the
CLI's on the whole files (the fields crates/py/tests compare), and the text's MB/s of
both paths, in the same run, are printed with their ratio.

    target/pyenv/bin/python bench/partitioned.py [--agents N] [--days N] [--dir DIR]
        [--partitions N] [--workers N] [--runs N] [--spark] [--json]

Run by `node bench/replay.mjs` (`npm run bench`), which prepares the environment
(scripts/test-py.sh --setup-only) and writes the figures as `replay.partitioned` in
bench/results.json. --dir keeps the generated files (made there if missing); --spark
also runs a local Spark (pyspark installed in the environment if missing; Java 17)
over the same partition files; --json prints only the JSON.
"""

import argparse
import csv
import gzip
import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIX = ROOT / "tests" / "fixtures" / "replay"
BIN = ROOT / "target" / "release" / "omnisync"
# The comparison the tests make: what must be equal between the whole and the merge.
sys.path.insert(0, str(ROOT / "crates" / "py" / "tests"))
from test_replay import said  # noqa: E402

EXPORTS = (("usp", "usp.csv.gz"), ("agentWork", "work.csv.gz"))


def options():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--agents", type=int, default=500)
    p.add_argument("--days", type=int, default=30)
    p.add_argument("--dir", type=Path, default=None)
    p.add_argument("--partitions", type=int, default=8)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--runs", type=int, default=1, help="each path this many times, the fastest kept")
    p.add_argument("--spark", action="store_true", help="also a local Spark's applyInPandas")
    p.add_argument("--json", action="store_true", help="print only the JSON")
    return p.parse_args()


def log(*words):
    print("...", *words, file=sys.stderr, flush=True)


def split(source, out_dir, n):
    """The export cut into `n` CSV files by a hash of UserId, each with the header."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with gzip.open(source, "rt", newline="") as rows:
        header = rows.readline()
        user = next(csv.reader([header])).index("UserId")
        outs = [open(out_dir / f"part-{i:05d}.csv", "w", newline="") for i in range(n)]
        for out in outs:
            out.write(header)
        for line in rows:  # the generator writes no line break inside a field
            key = next(csv.reader([line]))[user]
            outs[zlib.crc32(key.encode()) % n].write(line)
        for out in outs:
            out.close()


def rules():
    return {
        "current_rules": (FIX / "current.json").read_text(),
        "proposed_rules": (FIX / "proposed-lunch-is-break.json").read_text(),
        "catalog": (FIX / "catalog.json").read_text(),
    }


def replay_partition_files(job):
    """One worker's task: a partition's files, grouped per agent, replayed, merged."""
    import pandas as pd
    from omnisync_replay import merge, spark

    parts, i, users = job
    frames = [pd.read_csv(parts / kind / f"part-{i:05d}.csv", dtype=str, keep_default_na=False)
              for kind, _ in EXPORTS]
    r = rules()
    fn = spark.replay_function(r["current_rules"], r["proposed_rules"], kinds=[k for k, _ in EXPORTS],
                               users=users, catalog=r["catalog"])
    return merge(list(spark.local_apply(fn, frames)["report"]))


def replay_partition_bytes(job):
    """The same partition's files handed to the wheel as they are, all its agents in one
    call: the wheel's own cost, without pandas."""
    from omnisync_replay import Replayer

    parts, i, users = job
    r = rules()
    replayer = Replayer(r["current_rules"], r["proposed_rules"], catalog=r["catalog"])
    inputs = [(kind, (parts / kind / f"part-{i:05d}.csv").read_bytes()) for kind, _ in EXPORTS]
    return replayer.replay(inputs, users)


def wheel(parts, n, workers, users, task=replay_partition_files):
    from omnisync_replay import merge

    started = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        reports = pool.map(task, [(parts, i, users) for i in range(n)], chunksize=1)
    merged = merge(reports)
    return time.perf_counter() - started, json.loads(merged)


def cli(data):
    args = [str(BIN), "replay", "--current", str(FIX / "current.json"),
            "--proposed", str(FIX / "proposed-lunch-is-break.json"), "--catalog", str(FIX / "catalog.json"),
            "--users", str(data / "users.csv"), "--usp", str(data / "usp.csv.gz"),
            "--agent-work", str(data / "work.csv.gz"), "--format", "json", "--progress", "never"]
    started = time.perf_counter()
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    return time.perf_counter() - started, json.loads(out)


def spark_run(parts, n, users):
    """A local Spark (local[2]) over the partition directories: cogroup by UserId,
    applyInPandas, reports merged per Spark partition (mapInPandas), then here."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        log("installing pyspark and pyarrow (for --spark)")
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "pyspark", "pyarrow"], check=True)
    from pyspark.sql import SparkSession

    from omnisync_replay import spark as omni

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    session = (SparkSession.builder.master("local[2]").appName("omnisync-replay")
               .config("spark.sql.shuffle.partitions", str(n))
               .config("spark.ui.enabled", "false").getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    try:
        r = rules()
        fn = omni.replay_function(r["current_rules"], r["proposed_rules"], kinds=[k for k, _ in EXPORTS],
                                  users=users, catalog=r["catalog"])
        started = time.perf_counter()
        usp, work = (omni.spark_columns(session.read.csv(str(parts / kind), header=True))
                     for kind, _ in EXPORTS)
        reports = (usp.groupBy("UserId").cogroup(work.groupBy("UserId"))
                   .applyInPandas(fn, schema=omni.SCHEMA))
        merged = omni.merge_reports(reports.mapInPandas(omni.merge_batches, schema=omni.SCHEMA))
        return time.perf_counter() - started, json.loads(merged), session.version
    finally:
        session.stop()


def main():
    o = options()
    base = o.dir or Path(tempfile.mkdtemp(prefix="omnisync-partitioned-"))
    data = base.resolve()
    if not (data / "users.csv").exists():
        log(f"generating {o.agents} agents x {o.days} days in {data}")
        subprocess.run(["node", str(ROOT / "bench" / "replay.mjs"), "--generate", str(data),
                        "--agents", str(o.agents), "--days", str(o.days), "--only", "usp,agentWork"],
                       check=True)
    parts = data / f"partitioned-{o.partitions}"
    if not parts.exists():
        log(f"splitting into {o.partitions} partitions by UserId in {parts}")
        for kind, file in EXPORTS:
            split(data / file, parts / kind, o.partitions)
    users = (data / "users.csv").read_bytes()

    log("the CLI on the whole files")
    cli_secs, whole = min((cli(data) for _ in range(o.runs)), key=lambda r: r[0])
    log(f"the wheel on {o.partitions} partitions, {o.workers} worker processes")
    wheel_secs, merged = min((wheel(parts, o.partitions, o.workers, users) for _ in range(o.runs)),
                             key=lambda r: r[0])
    log("the wheel on the partition files as they are (no pandas)")
    direct_secs, direct = min((wheel(parts, o.partitions, o.workers, users, replay_partition_bytes)
                               for _ in range(o.runs)), key=lambda r: r[0])
    equal = said(merged) == said(whole) and said(direct) == said(whole)
    text = sum(i["textBytes"] for i in whole["inputs"])
    mbs = lambda secs: round(text / 1e6 / secs, 1)  # noqa: E731
    result = {
        "generator": {"agents": o.agents, "days": o.days},
        "partitions": o.partitions,
        "workers": o.workers,
        "textBytes": text,
        "rows": whole["timing"]["rows"],
        "agents": merged["agents"],
        "equal": equal,
        "cli": {"seconds": round(cli_secs, 2), "mbPerSecond": mbs(cli_secs)},
        "wheel": {"seconds": round(wheel_secs, 2), "mbPerSecond": mbs(wheel_secs),
                  # Inside the wheel: reading the agents' text and replaying them, summed
                  # over the agents (the rest is pandas and the processes).
                  "replaySecondsInWheel": round((merged["timing"]["readMs"] + merged["timing"]["replayMs"]) / 1e3, 2)},
        "ratio": round(wheel_secs / cli_secs, 2),
        "wheelWithoutPandas": {"seconds": round(direct_secs, 2), "mbPerSecond": mbs(direct_secs),
                               "ratio": round(direct_secs / cli_secs, 2)},
    }
    if o.spark:
        spark_secs, spark_merged, version = spark_run(parts, o.partitions, users)
        result["spark"] = {"version": version, "master": "local[2]", "seconds": round(spark_secs, 2),
                           "mbPerSecond": mbs(spark_secs), "equal": said(spark_merged) == said(whole),
                           "ratio": round(spark_secs / cli_secs, 2)}
    if not o.dir:
        shutil.rmtree(base, ignore_errors=True)
    if not o.json:
        rows = [("CLI, whole files", result["cli"]),
                (f"wheel, {o.partitions} partitions x {o.workers} workers", result["wheel"]),
                ("wheel, partition files as they are", result["wheelWithoutPandas"])]
        if "spark" in result:
            rows.append(("Spark local[2], applyInPandas", result["spark"]))
        print(f"{o.agents} agents x {o.days} days: {text / 1e6:.0f} MB of text, {result['rows']:,} rows; "
              f"merged report equals the CLI's: {equal}")
        print(f"{'path':<40} {'seconds':>8} {'MB/s':>8}")
        for name, r in rows:
            print(f"{name:<40} {r['seconds']:>8} {r['mbPerSecond']:>8}")
        print(f"wheel / CLI time: {result['ratio']}x")
    print(json.dumps(result, indent=2))
    if not equal or not result.get("spark", {}).get("equal", True):
        sys.exit("the merged report differs from the CLI's")


if __name__ == "__main__":
    main()
