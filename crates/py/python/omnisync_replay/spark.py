"""Spark's side of the replay (pure Python; pandas, and pyspark only where Spark runs it).

The exports are grouped by agent, each group replayed where it lands, and the reports
merged (docs/replay.md, "More than one machine")::

    from omnisync_replay import spark as omni

    usp = session.read.csv("s3://.../usp/", header=True)          # columns as strings
    work = omni.spark_columns(session.read.csv("s3://.../agent-work/", header=True))
    fn = omni.replay_function(current, proposed, kinds=("usp", "agentWork"),
                              users=users_csv, catalog=catalog_json)
    reports = (usp.groupBy("UserId").cogroup(work.groupBy("UserId"))
                  .applyInPandas(fn, schema=omni.SCHEMA))          # one row per agent
    whole = omni.merge_reports(reports.mapInPandas(omni.merge_batches, schema=omni.SCHEMA))

With one export, ``usp.groupBy("UserId").applyInPandas(fn, schema=omni.SCHEMA)``.
Connect records and traces are a frame with the agent's ``UserId`` and a ``record``
column (one JSON record a row, as read with ``spark.read.text`` and joined to the user
map).
"""

from . import DEFAULT_WINDOW_MS, Replayer, merge

#: The schema of what ``replay_function``'s function returns: one report (JSON) a group.
SCHEMA = "report string"

#: Kinds whose rows are JSON records (a ``record`` column), not CSV columns.
RECORD_KINDS = ("connect", "trace")

#: What stands for the dot of Salesforce's relationship columns (``ServiceChannel.DeveloperName``)
#: in Spark, which cannot resolve a dotted name in ``applyInPandas``. Salesforce's API names
#: never hold two underscores but in their suffix (``__c``), so it is never one of theirs.
DOT = "__dot__"

# One Replayer per rules in each worker process: the rules compile once, not per agent.
_replayers = {}


def spark_columns(frame):
    """The frame (Spark's or pandas') with each ``.`` of its column names as ``DOT``:
    Spark can then group it; ``export_text`` writes the names back as the export has them."""
    names = [c.replace(".", DOT) for c in frame.columns]
    return frame.toDF(*names) if hasattr(frame, "toDF") else frame.set_axis(names, axis=1)


def export_text(kind, frame):
    """One group's rows of an export as the export's text: CSV with its header for the
    Salesforce exports (values as they are; missing ones empty), the ``record`` column
    one a line for Connect records and traces."""
    if kind in RECORD_KINDS:
        return ("\n".join(frame["record"].astype(str)) + "\n").encode()
    header = [c.replace(DOT, ".") for c in frame.columns]
    return frame.to_csv(index=False, header=header, na_rep="").encode()


def replay_function(current_rules, proposed_rules, kinds=("usp",), users=None, catalog=None,
                    window_ms=DEFAULT_WINDOW_MS):
    """The function Spark calls per group of agents' rows, one pandas frame per kind (in
    the order of ``kinds``), returning a one-row frame with the group's ``report``.

    One kind: ``fn(frame)`` for ``df.groupBy("UserId").applyInPandas(fn, SCHEMA)``; two:
    ``fn(left, right)`` for ``a.groupBy(...).cogroup(b.groupBy(...)).applyInPandas``;
    more: ``fn(*frames)``, for ``local_apply``. A kind without rows in a group is left
    out; a group with no row at all raises ``ValueError``."""
    kinds = tuple(kinds)
    key = (current_rules, proposed_rules, catalog, window_ms)

    def replay_frames(*frames):
        import pandas as pd

        replayer = _replayers.get(key)
        if replayer is None:
            replayer = _replayers[key] = Replayer(current_rules, proposed_rules, catalog=catalog,
                                                  window_ms=window_ms)
        inputs = [(kind, export_text(kind, frame)) for kind, frame in zip(kinds, frames)
                  if len(frame)]
        return pd.DataFrame({"report": [replayer.replay(inputs, users)]})

    # Spark tells a function that takes the group's key from one that does not by its
    # number of parameters, so each arity is spelled out.
    if len(kinds) == 1:
        def replay_group(frame):
            return replay_frames(frame)
    elif len(kinds) == 2:
        def replay_group(left, right):
            return replay_frames(left, right)
    else:
        replay_group = replay_frames
    return replay_group


def merge_batches(batches):
    """For ``mapInPandas``: the reports of a Spark partition merged into one, so the
    driver merges one report per partition, not one per agent."""
    import pandas as pd

    reports = [r for batch in batches for r in batch["report"]]
    if reports:
        yield pd.DataFrame({"report": [merge(reports)]})


def merge_reports(reports):
    """On the driver: the report of all agents (JSON) from a Spark DataFrame of
    ``report`` rows, a pandas frame, or an iterable of reports."""
    if hasattr(reports, "toLocalIterator"):
        texts = [row["report"] for row in reports.toLocalIterator()]
    elif hasattr(reports, "columns"):
        texts = list(reports["report"])
    else:
        texts = list(reports)
    return merge(texts)


def local_apply(fn, frames, key="UserId"):
    """What Spark's ``applyInPandas`` (one frame) or ``cogroup(...).applyInPandas`` does,
    in this process: ``fn`` called with each key's rows of every frame (every column,
    the key's too; an empty frame for a frame without them), the results concatenated.
    For tests and for exports small enough for one machine."""
    import pandas as pd

    groups = [dict(iter(frame.groupby(key, sort=True))) for frame in frames]
    keys = sorted(set().union(*groups))
    out = [fn(*[g.get(k, f.iloc[0:0]) for g, f in zip(groups, frames)]) for k in keys]
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame({"report": []})
