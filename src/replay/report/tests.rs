use super::*;

/// An agent's result with a difference at each of `times` (ms).
pub(crate) fn agent(name: &str, times: impl Iterator<Item = u64>) -> AgentResult {
    let differences: Vec<Difference> = times
        .map(|at_ms| Difference {
            agent: name.into(),
            at: crate::replay::time::format_ms(at_ms),
            at_ms,
            event: "telephony Lunch".into(),
            current: vec!["omni=Lunch".into()],
            proposed: vec!["omni=Break".into()],
        })
        .collect();
    AgentResult {
        agent: name.into(),
        differences_total: differences.len() as u64,
        differences,
        ..AgentResult::default()
    }
}

#[test]
fn the_first_differences_by_time_are_listed_whatever_the_order_agents_finish() {
    let mut totals = Totals::default();
    for (i, name) in ["c", "a", "b", "d"].into_iter().enumerate() {
        // Agent i's differences at i, i + 4, i + 8...: all interleaved in time.
        totals.add(agent(name, (0..40).map(|k| i as u64 + 4 * k)));
    }
    let report = totals.finish(&[]);
    assert_eq!(report.differences.total, 160);
    let times: Vec<u64> = report.differences.first.iter().map(|d| d.at_ms).collect();
    assert_eq!(times, (0..50).collect::<Vec<u64>>());
}
