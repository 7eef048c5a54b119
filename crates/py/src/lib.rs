//! `omnisync_replay._native`: the replay of `omnisync replay` (docs/replay.md) over one
//! partition of the exports held in memory, and the merge of partitions' reports, for
//! Python (the package around it is python/omnisync_replay).
//!
//! A partition holds whole agents (every row of each of its agents, of every export);
//! its report, as JSON, merges with the other partitions' into the report of all
//! (`omnisync::replay::Report::merge`). Every failure is a `ValueError` with the core's
//! message: nothing here panics on what Python hands over.

use omnisync::replay::{self, Input, InputKind, Options, Report, Source};
use omnisync::rules::Catalog;
use omnisync::CompiledRules;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyString, PyTuple};
use std::borrow::Cow;
use std::sync::Arc;

// As the CLI: the replay allocates for every event it runs through the engine.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn invalid(message: impl Into<String>) -> PyErr {
    PyValueError::new_err(message.into())
}

/// The two rules files (and the org's catalog) compiled once, replaying partition after
/// partition: a Spark worker keeps one for all the agents it is given.
#[pyclass(frozen, module = "omnisync_replay")]
struct Replayer {
    current: CompiledRules,
    proposed: CompiledRules,
    catalog: Option<Catalog>,
    names: (String, String),
    window_ms: u64,
    threads: usize,
    with_reason: bool,
}

#[pymethods]
impl Replayer {
    #[new]
    #[pyo3(signature = (current_rules, proposed_rules, catalog=None, window_ms=replay::DEFAULT_WINDOW_MS,
        threads=1, with_reason=true, current_name="current", proposed_name="proposed"))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        current_rules: &str,
        proposed_rules: &str,
        catalog: Option<&str>,
        window_ms: u64,
        threads: usize,
        with_reason: bool,
        current_name: &str,
        proposed_name: &str,
    ) -> PyResult<Replayer> {
        let catalog = match catalog {
            None => None,
            Some(text) => Some(Catalog::from_json_str(text).map_err(|e| {
                let lines: Vec<String> = e.details().iter().map(|f| format!("  {f}")).collect();
                invalid(format!("the catalog is not valid:\n{}", lines.join("\n")))
            })?),
        };
        let compile = |text: &str, which: &str| {
            match &catalog {
                Some(c) => CompiledRules::from_json_str_with_catalog(text, c),
                None => CompiledRules::from_json_str(text),
            }
            .map_err(|e| {
                let lines: Vec<String> = e.details().iter().map(|f| format!("  {f}")).collect();
                invalid(format!(
                    "the {which} rules are not valid:\n{}",
                    lines.join("\n")
                ))
            })
        };
        Ok(Replayer {
            current: compile(current_rules, "current")?,
            proposed: compile(proposed_rules, "proposed")?,
            catalog,
            names: (current_name.to_string(), proposed_name.to_string()),
            window_ms,
            threads,
            with_reason,
        })
    }

    /// Replays one partition: `inputs` a list of `(kind, data)` or `(kind, data, name)`,
    /// kind one of `usp`, `agentWork`, `connect`, `trace`, data the export's text
    /// (bytes or str, gzip read as is); `users` the user map. The report as JSON.
    #[pyo3(signature = (inputs, users=None))]
    fn replay(
        &self,
        py: Python<'_>,
        inputs: Vec<Bound<'_, PyTuple>>,
        users: Option<Bound<'_, PyAny>>,
    ) -> PyResult<String> {
        let inputs = inputs.iter().map(input).collect::<PyResult<Vec<Input>>>()?;
        if inputs.is_empty() {
            return Err(invalid("nothing to replay: no input"));
        }
        let users = match users {
            Some(u) if !u.is_none() => Some(Source::Bytes {
                name: "users".into(),
                bytes: data(&u)?,
            }),
            _ => None,
        };
        let mut options = Options::new(self.current.clone(), self.proposed.clone(), inputs);
        options.current_name.clone_from(&self.names.0);
        options.proposed_name.clone_from(&self.names.1);
        options.catalog.clone_from(&self.catalog);
        options.users = users;
        options.window_ms = self.window_ms;
        options.threads = self.threads;
        options.with_reason = self.with_reason;
        // Python's other threads go on while this one replays.
        let report = py.detach(|| replay::replay(&options)).map_err(invalid)?;
        serde_json::to_string(&report).map_err(|e| invalid(e.to_string()))
    }
}

/// One `(kind, data[, name])` of the inputs.
fn input(item: &Bound<'_, PyTuple>) -> PyResult<Input> {
    if !(2..=3).contains(&item.len()) {
        return Err(invalid("an input is (kind, data) or (kind, data, name)"));
    }
    let kind: String = item.get_item(0)?.extract()?;
    let kind = match kind.as_str() {
        "usp" | "UserServicePresence" => InputKind::Usp,
        "agentWork" | "agent_work" | "AgentWork" => InputKind::AgentWork,
        "connect" => InputKind::Connect,
        "trace" => InputKind::Trace,
        other => {
            return Err(invalid(format!(
                "unknown input kind {other:?}: usp, agentWork, connect or trace"
            )))
        }
    };
    let name = match item.get_item(2) {
        Ok(name) => name.extract()?,
        Err(_) => kind.name().to_string(),
    };
    Ok(Input::bytes(kind, name, data(&item.get_item(1)?)?))
}

/// An export's bytes: `bytes`, `bytearray` or `str` (as UTF-8), copied once.
fn data(value: &Bound<'_, PyAny>) -> PyResult<Arc<[u8]>> {
    if let Ok(text) = value.cast::<PyString>() {
        return Ok(Arc::from(text.to_cow()?.as_bytes()));
    }
    let bytes: Cow<'_, [u8]> = value
        .extract()
        .map_err(|_| invalid("an input's data is bytes or str"))?;
    Ok(Arc::from(bytes.as_ref()))
}

/// Replays one partition with rules given as text: a [`Replayer`] made for the call.
#[pyfunction]
#[pyo3(signature = (current_rules, proposed_rules, inputs, users=None, catalog=None,
    window_ms=replay::DEFAULT_WINDOW_MS, threads=1))]
#[allow(clippy::too_many_arguments)]
fn replay_partition(
    py: Python<'_>,
    current_rules: &str,
    proposed_rules: &str,
    inputs: Vec<Bound<'_, PyTuple>>,
    users: Option<Bound<'_, PyAny>>,
    catalog: Option<&str>,
    window_ms: u64,
    threads: usize,
) -> PyResult<String> {
    let replayer = Replayer::new(
        current_rules,
        proposed_rules,
        catalog,
        window_ms,
        threads,
        true,
        "current",
        "proposed",
    )?;
    replayer.replay(py, inputs, users)
}

fn parse(report: &str) -> PyResult<Report> {
    serde_json::from_str(report).map_err(|e| invalid(format!("not a replay report: {e}")))
}

/// The reports of partitions with disjoint agents merged into the report of all (JSON).
#[pyfunction]
fn merge(py: Python<'_>, reports: Vec<String>) -> PyResult<String> {
    let merged = py.detach(|| {
        let reports = reports
            .iter()
            .map(|r| serde_json::from_str::<Report>(r))
            .collect::<Result<Vec<Report>, _>>()
            .map_err(|e| format!("not a replay report: {e}"))?;
        Report::merge(reports)
    });
    serde_json::to_string(&merged.map_err(invalid)?).map_err(|e| invalid(e.to_string()))
}

/// A report (JSON) as the table `omnisync replay` prints.
#[pyfunction]
fn table(report: &str) -> PyResult<String> {
    Ok(parse(report)?.table())
}

/// A report (JSON) as the self-contained HTML page of `omnisync replay --html`.
#[pyfunction]
fn html(report: &str) -> PyResult<String> {
    Ok(replay::html(&parse(report)?))
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Replayer>()?;
    m.add_function(wrap_pyfunction!(replay_partition, m)?)?;
    m.add_function(wrap_pyfunction!(merge, m)?)?;
    m.add_function(wrap_pyfunction!(table, m)?)?;
    m.add_function(wrap_pyfunction!(html, m)?)?;
    m.add("DEFAULT_WINDOW_MS", replay::DEFAULT_WINDOW_MS)?;
    Ok(())
}
