//! `omnisync_replay.replay_partition`: `omnisync replay` on the files of one
//! partition (an export split by agent, so that each agent's rows are in one
//! partition), returning the report as JSON. Partitions are independent: the caller's
//! engine runs them where it likes and sums the reports (`bench/replay_partitions.py`
//! shows how).

use omnisync::replay::{self, Input, InputKind, Options};
use omnisync::rules::Catalog;
use omnisync::CompiledRules;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

fn rules(text: &str, catalog: Option<&Catalog>, what: &str) -> PyResult<CompiledRules> {
    match catalog {
        Some(c) => CompiledRules::from_json_str_with_catalog(text, c),
        None => CompiledRules::from_json_str(text),
    }
    .map_err(|e| PyValueError::new_err(format!("{what} rules: {e}")))
}

/// Replays one partition. `current`, `proposed`: rules files (JSON text); `inputs`:
/// (kind, path) pairs, kind one of usp, agentWork, connect, trace; `catalog`: the org's
/// statuses (JSON text); `users`: path of the user map. One thread: the engine that
/// calls it runs partitions in parallel.
#[pyfunction]
#[pyo3(signature = (current, proposed, inputs, catalog=None, users=None, window_ms=5000))]
fn replay_partition(
    py: Python<'_>,
    current: &str,
    proposed: &str,
    inputs: Vec<(String, String)>,
    catalog: Option<&str>,
    users: Option<String>,
    window_ms: u64,
) -> PyResult<String> {
    let catalog = catalog
        .map(Catalog::from_json_str)
        .transpose()
        .map_err(|e| PyValueError::new_err(format!("catalog: {e}")))?;
    let current = rules(current, catalog.as_ref(), "current")?;
    let proposed = rules(proposed, catalog.as_ref(), "proposed")?;
    let mut list = Vec::new();
    for (kind, path) in inputs {
        let kind = match kind.as_str() {
            "usp" => InputKind::Usp,
            "agentWork" => InputKind::AgentWork,
            "connect" => InputKind::Connect,
            "trace" => InputKind::Trace,
            other => return Err(PyValueError::new_err(format!("unknown input kind {other}"))),
        };
        list.push(Input {
            kind,
            path: path.into(),
        });
    }
    let mut options = Options::new(current, proposed, list);
    options.catalog = catalog;
    options.users = users.map(Into::into);
    options.window_ms = window_ms;
    options.threads = 1;
    // The replay holds no Python object: other Python threads run meanwhile.
    let report = py
        .detach(|| replay::replay(&options))
        .map_err(PyValueError::new_err)?;
    serde_json::to_string(&report).map_err(|e| PyValueError::new_err(e.to_string()))
}

#[pymodule]
fn omnisync_replay(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(replay_partition, m)?)
}
