"""The wheel against the command: the fixture org (tests/fixtures/replay) replayed by
`omnisync replay` in one run, and agent by agent through the wheel the way Spark's
applyInPandas calls it (pandas groups of each agent's rows, every column), merged.

Run after `maturin build` and `pip install` of the wheel, with the release CLI built:
    python -m unittest discover -s crates/py/tests
(OMNISYNC_BIN names another CLI binary.)
"""

import csv
import io
import json
import os
import subprocess
import unittest
from pathlib import Path

import pandas as pd

import omnisync_replay as omni
from omnisync_replay import spark

ROOT = Path(__file__).resolve().parents[3]
FIX = ROOT / "tests" / "fixtures" / "replay"
BIN = Path(os.environ.get("OMNISYNC_BIN", ROOT / "target" / "release" / "omnisync"))


def fixture(name):
    return (FIX / name).read_text()


def cli(*flags):
    """The command's JSON report over the fixture files named by the flags."""
    args = [str(BIN), "replay", "--current", str(FIX / "current.json"),
            "--proposed", str(FIX / "proposed-lunch-is-break.json"),
            "--catalog", str(FIX / "catalog.json"), "--users", str(FIX / "users.csv"),
            "--format", "json", "--progress", "never", *flags]
    return json.loads(subprocess.run(args, check=True, capture_output=True, text=True).stdout)


def said(report):
    """What must be equal between the whole and the merge: all but the timing, the
    inputs' names and sizes, the rules files' names, and where the unused rows were."""
    kept = {k: v for k, v in report.items()
            if k not in ("timing", "inputs", "problems", "currentRules", "proposedRules")}
    kept["problems"] = {k: p["count"] for k, p in report["problems"]["reasons"].items()}
    kept["inputs"] = sorted((i["kind"], i["complete"]) for i in report["inputs"])
    return kept


def csv_frame(name):
    # As Spark reads a CSV by default: every column a string, an empty field missing.
    return pd.read_csv(FIX / name, dtype=str, keep_default_na=False)


def connect_frame():
    """The Connect records, one a row, with the UserId the user map gives their agent
    (by ARN or username), as a join in Spark would make it."""
    by_key = {}
    for row in csv.DictReader(io.StringIO(fixture("users.csv"))):
        for key in (row["AgentARN"], row["Username"]):
            if key:
                by_key[key] = row["UserId"]
    decoder, rows = json.JSONDecoder(), []
    for line in fixture("connect.jsonl").splitlines():
        at = 0
        while at < len(line):  # records written one after the other, as Firehose does
            record, end = decoder.raw_decode(line, at)
            username = record["CurrentAgentSnapshot"]["Configuration"]["Username"]
            user = by_key.get(record["AgentARN"]) or by_key[username]
            rows.append({"UserId": user, "record": line[at:end]})
            at = end
    return pd.DataFrame(rows)


def function(kinds):
    return spark.replay_function(fixture("current.json"), fixture("proposed-lunch-is-break.json"),
                                 kinds=kinds, users=(FIX / "users.csv").read_bytes(),
                                 catalog=fixture("catalog.json"))


class WholeAgainstMerged(unittest.TestCase):
    def test_the_fixture_org_agent_by_agent_merges_into_the_commands_report(self):
        whole = cli("--usp", str(FIX / "usp.csv"), "--agent-work", str(FIX / "agent_work.csv"),
                    "--connect", str(FIX / "connect.jsonl"))
        frames = [csv_frame("usp.csv"), csv_frame("agent_work.csv"), connect_frame()]
        out = spark.local_apply(function(("usp", "agentWork", "connect")), frames)
        self.assertEqual(list(out.columns), ["report"])
        self.assertEqual(len(out), 3)  # one report per agent
        merged = json.loads(spark.merge_reports(out))
        self.assertEqual(merged["agents"], 3)
        self.assertEqual(merged["attribution"]["agentChanges"], 18)
        self.assertEqual(merged["attribution"]["syncChanges"], 11)
        self.assertEqual(said(merged), said(whole))

    def test_one_export_grouped_by_user_as_apply_in_pandas_groups_it(self):
        whole = cli("--usp", str(FIX / "usp.csv"))
        usp = csv_frame("usp.csv")
        fn = function(("usp",))
        # applyInPandas hands each group every column, the key's too: so does iterating
        # a pandas groupby (its `apply` leaves the key column out as of pandas 3).
        parts = [fn(rows) for _, rows in usp.groupby("UserId")]
        for rows in parts:
            self.assertEqual(json.loads(rows["report"][0])["agents"], 1)
        merged = json.loads(omni.merge([p["report"][0] for p in parts]))
        self.assertEqual(said(merged), said(whole))
        # Merged in two steps (per Spark partition, then on the driver): the same.
        batches = list(spark.merge_batches(iter(parts[:2])))
        again = json.loads(omni.merge([batches[0]["report"][0], parts[2]["report"][0]]))
        self.assertEqual(said(again), said(merged))

    def test_the_report_prints_as_the_command_prints_it(self):
        report = omni.replay_partition(fixture("current.json"), fixture("proposed-lunch-is-break.json"),
                                       [("usp", (FIX / "usp.csv").read_bytes()),
                                        ("connect", fixture("connect.jsonl"), "events")],
                                       users=(FIX / "users.csv").read_bytes(),
                                       catalog=fixture("catalog.json"))
        self.assertIn("changes differ", omni.table(report))
        self.assertIn("<svg", omni.html(report))
        names = [i["file"] for i in json.loads(report)["inputs"]]
        self.assertEqual(names, ["UserServicePresence", "events"])


class Errors(unittest.TestCase):
    def test_a_bad_rules_file_raises_value_error_with_the_findings(self):
        with self.assertRaises(ValueError) as caught:
            omni.replay_partition('{"version": 1, "rules": "not a list"}', fixture("current.json"),
                                  [("usp", fixture("usp.csv"))])
        self.assertIn("the current rules are not valid", str(caught.exception))
        with self.assertRaises(ValueError):
            omni.Replayer("not json", fixture("current.json"))

    def test_bad_inputs_and_reports_raise_value_error(self):
        replayer = omni.Replayer(fixture("current.json"), fixture("current.json"),
                                 catalog=fixture("catalog.json"))
        with self.assertRaisesRegex(ValueError, "unknown input kind"):
            replayer.replay([("presence", b"")])
        with self.assertRaisesRegex(ValueError, "no row could be used"):
            replayer.replay([("usp", b"UserId,ServicePresenceStatusId,StatusStartDate\n")])
        with self.assertRaisesRegex(ValueError, "bytes or str"):
            replayer.replay([("usp", 42)])
        one = replayer.replay([("usp", fixture("usp.csv"))])
        with self.assertRaisesRegex(ValueError, "more than one report"):
            omni.merge([one, one])
        with self.assertRaisesRegex(ValueError, "not a replay report"):
            omni.merge([one, "{}"])


if __name__ == "__main__":
    unittest.main()
