//! Reports of replays over disjoint sets of agents summed into the report of all of
//! them: a contact center too large for one machine is replayed in partitions (by a
//! distributed engine, each partition holding whole agents) and the partitions'
//! reports, as JSON, are merged where the results are gathered.
//!
//! Everything a report holds adds up agent by agent: counts and milliseconds sum,
//! per-agent rows join, and the differences listed are the first 50 by time over all
//! agents, which are among the first 50 of each partition.

use super::read::EXAMPLES;
use super::report::{sort_differences, sort_status_rows, sync_share, StatusRow};
use super::report::{Report, DIFFERENCES_LISTED};
use super::time::parse_ms;

#[cfg(test)]
mod tests;

impl Report {
    /// The report of every agent of `reports`, each replayed apart under the same two
    /// rules files and window: what one replay of all their rows reports, timing
    /// aside (times, rows and sorted runs summed). Inputs of the same name and kind
    /// add up into one; problems keep their counts and the first few places.
    ///
    /// Fails when there is no report, when two name their rules files differently or
    /// were made with different windows, or when an agent is in two of them (the
    /// partitions overlap).
    pub fn merge(reports: impl IntoIterator<Item = Report>) -> Result<Report, String> {
        let mut reports = reports.into_iter();
        let mut whole = reports.next().ok_or("no report to merge")?;
        timed(&mut whole)?;
        for mut part in reports {
            timed(&mut part)?;
            add(&mut whole, part)?;
        }
        finish(&mut whole)?;
        Ok(whole)
    }
}

/// The differences' times, which the JSON gives as text only.
fn timed(report: &mut Report) -> Result<(), String> {
    for d in &mut report.differences.first {
        d.at_ms = parse_ms(&d.at).ok_or_else(|| format!("a difference at {:?}", d.at))?;
    }
    Ok(())
}

fn add(whole: &mut Report, part: Report) -> Result<(), String> {
    let said = |r: &Report| {
        (
            r.current_rules.clone(),
            r.proposed_rules.clone(),
            r.window_ms,
        )
    };
    if said(whole) != said(&part) {
        return Err(format!(
            "reports of different replays: rules {} and {}, window {} ms, against {} and {}, {} ms",
            whole.current_rules,
            whole.proposed_rules,
            whole.window_ms,
            part.current_rules,
            part.proposed_rules,
            part.window_ms
        ));
    }
    for input in part.inputs {
        match whole
            .inputs
            .iter_mut()
            .find(|i| i.file == input.file && i.kind == input.kind)
        {
            Some(i) => {
                i.stored_bytes += input.stored_bytes;
                i.text_bytes += input.text_bytes;
                i.complete &= input.complete;
            }
            None => whole.inputs.push(input),
        }
    }
    for (reason, problem) in part.problems.reasons {
        let p = whole.problems.reasons.entry(reason).or_default();
        p.count += problem.count;
        let room = EXAMPLES.saturating_sub(p.examples.len());
        p.examples.extend(problem.examples.into_iter().take(room));
    }
    whole.agents += part.agents;
    whole.events += part.events;
    whole.replayed_events += part.replayed_events;
    let (a, b) = (&mut whole.attribution, part.attribution);
    a.agent_changes += b.agent_changes;
    a.sync_changes += b.sync_changes;
    a.ambiguous += b.ambiguous;
    for (rule, n) in b.by_rule {
        *a.by_rule.entry(rule).or_default() += n;
    }
    // Every report lists every rule of both files, in file order: rows are found by
    // name and a name the first report lacks goes last.
    for row in part.rules {
        match whole.rules.iter_mut().find(|r| r.rule == row.rule) {
            Some(r) => {
                r.history += row.history;
                r.current += row.current;
                r.proposed += row.proposed;
                for (sum, n) in r.current_by_hour.iter_mut().zip(row.current_by_hour) {
                    *sum += n;
                }
                for (sum, n) in r.proposed_by_hour.iter_mut().zip(row.proposed_by_hour) {
                    *sum += n;
                }
            }
            None => whole.rules.push(row),
        }
    }
    for (rows, more) in [
        (&mut whole.statuses.omni, part.statuses.omni),
        (&mut whole.statuses.telephony, part.statuses.telephony),
    ] {
        for row in more {
            match rows.iter_mut().find(|r| r.status == row.status) {
                Some(r) => {
                    *r = StatusRow::new(
                        row.status,
                        [
                            r.history_ms + row.history_ms,
                            r.current_ms + row.current_ms,
                            r.proposed_ms + row.proposed_ms,
                        ],
                    );
                }
                None => rows.push(row),
            }
        }
    }
    whole.differences.total += part.differences.total;
    whole.differences.first.extend(part.differences.first);
    if whole.differences.first.len() > 2 * DIFFERENCES_LISTED {
        sort_differences(&mut whole.differences.first);
        whole.differences.first.truncate(DIFFERENCES_LISTED);
    }
    whole.chain_limits.current += part.chain_limits.current;
    whole.chain_limits.proposed += part.chain_limits.proposed;
    whole.deferred.current += part.deferred.current;
    whole.deferred.proposed += part.deferred.proposed;
    whole.per_agent.extend(part.per_agent);
    let (t, u) = (&mut whole.timing, part.timing);
    t.read_ms += u.read_ms;
    t.replay_ms += u.replay_ms;
    t.sort_runs += u.sort_runs;
    t.rows += u.rows;
    t.streamed &= u.streamed;
    Ok(())
}

/// What is derived from the sums: the share, the order of the lists.
fn finish(whole: &mut Report) -> Result<(), String> {
    let a = &mut whole.attribution;
    a.sync_share = sync_share(a.sync_changes, a.agent_changes + a.sync_changes);
    sort_status_rows(&mut whole.statuses.omni);
    sort_status_rows(&mut whole.statuses.telephony);
    sort_differences(&mut whole.differences.first);
    whole.differences.first.truncate(DIFFERENCES_LISTED);
    whole.per_agent.sort_by(|x, y| x.agent.cmp(&y.agent));
    if let Some(pair) = whole
        .per_agent
        .windows(2)
        .find(|w| w[0].agent == w[1].agent)
    {
        return Err(format!(
            "agent {} is in more than one report: partitions must not share an agent",
            pair[0].agent
        ));
    }
    Ok(())
}
