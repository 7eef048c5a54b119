"""omnisync's what-if replay (``omnisync replay``, docs/replay.md) over one partition of
an org's exports, for a distributed engine that maps it over partitions holding whole
agents, and the merge of the partitions' reports into the report of all of them.

    report = replay_partition(current, proposed, [("usp", usp_csv), ("agentWork", work_csv)],
                              users=users_csv, catalog=catalog_json)
    whole = merge([report_1, report_2, ...])
    print(table(whole))

Inputs are ``(kind, data)`` or ``(kind, data, name)``: kind ``usp`` (UserServicePresence
CSV), ``agentWork`` (AgentWork CSV), ``connect`` (Amazon Connect agent event records)
or ``trace`` (the generic trace); data the text as bytes or str (gzip read as is). Every
report is JSON text. Errors (invalid rules, nothing readable, reports that do not
merge) raise ``ValueError`` with the message the command would print.

``Replayer`` compiles the rules once for many partitions; ``omnisync_replay.spark`` has
the function for Spark's ``applyInPandas``.
"""

from ._native import DEFAULT_WINDOW_MS, Replayer, html, merge, replay_partition, table

__all__ = ["DEFAULT_WINDOW_MS", "Replayer", "html", "merge", "replay_partition", "table"]
