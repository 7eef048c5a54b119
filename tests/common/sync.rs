//! The sync-loop scenarios (`tests/conformance/sync/*.json`, `"kind": "sync"`), run by
//! every implementation: native Rust, the wasm `SyncLoop` class in node and Chromium,
//! and the JavaScript API (`www/test/conformance.test.mjs`).
//!
//! A scenario gives `rules`, optional `options` (`{context, seed}`) and `steps`. Each
//! step happens at `at` (ms) and does one thing: `"start": true`, `"read": {reply}`,
//! `"event": {...}`, `"reply": {"id", "error"?}` or `"tick": true`. It then expects:
//! `commands` (exactly; none when absent), `log` (the log kinds, exactly, when given),
//! `logIncludes` (texts found in the log messages), `matched` (the rules matched by
//! the step's decisions), `wakeAt`, `error` (the event is refused with this code), and
//! `state`, `stats`, `metrics` (+ `metricsAt`) as subsets of what the loop reports.

use super::{each_step, run_file, subset};
use omnisync::sync::{Command, Output};
use omnisync::Action;
use serde_json::Value;

/// One implementation of the sync loop; outputs are `{commands, decisions, log, wakeAt}`.
pub trait SyncSubject: Sized {
    fn load(rules: &Value, options: &Value) -> Result<Self, String>;
    fn start(&mut self, now: u64) -> Value;
    fn read(&mut self, reply: &Value, now: u64) -> Value;
    fn push(&mut self, event: &Value, now: u64) -> Result<Value, String>;
    fn reply(&mut self, id: u64, error: Option<&str>, now: u64) -> Value;
    fn tick(&mut self, now: u64) -> Value;
    fn state(&self) -> Value;
    fn stats(&self) -> Value;
    fn metrics(&self, now: u64) -> Value;
}

/// Runs one sync scenario file, panicking with the first mismatch.
pub fn run<S: SyncSubject>(name: &str, text: &str) {
    run_file(name, text, run_value::<S>);
}

/// The writes an output asks the host to run, as `(id, action)`.
pub fn executes(out: &Output) -> Vec<(u64, Action)> {
    out.commands
        .iter()
        .filter_map(|c| match c {
            Command::Execute { id, action, .. } => Some((*id, action.clone())),
            _ => None,
        })
        .collect()
}

fn run_value<S: SyncSubject>(scenario: &Value) -> Result<(), String> {
    if scenario["kind"] != "sync" {
        return Err("a sync scenario has \"kind\": \"sync\"".into());
    }
    let options = scenario.get("options").cloned().unwrap_or(Value::Null);
    let mut subject = S::load(&scenario["rules"], &options)?;
    each_step(scenario, |step| step_run(&mut subject, step))
}

fn step_run<S: SyncSubject>(subject: &mut S, step: &Value) -> Result<(), String> {
    let at = step["at"].as_u64().ok_or("every step needs \"at\"")?;
    let out = if step.get("start").is_some() {
        subject.start(at)
    } else if let Some(reply) = step.get("read") {
        subject.read(reply, at)
    } else if let Some(event) = step.get("event") {
        let before = subject.state();
        match (subject.push(event, at), step.get("error")) {
            (Err(code), Some(want)) if Value::String(code.clone()) == *want => {
                if subject.state() != before {
                    return Err("a refused event changed the state".into());
                }
                Value::Null
            }
            (Err(code), _) => return Err(format!("event refused with {code}")),
            (Ok(_), Some(want)) => return Err(format!("event accepted, want error {want}")),
            (Ok(out), None) => out,
        }
    } else if let Some(reply) = step.get("reply") {
        let id = reply["id"].as_u64().ok_or("reply needs an id")?;
        subject.reply(id, reply["error"].as_str(), at)
    } else if step.get("tick").is_some() {
        subject.tick(at)
    } else {
        return Err("a step needs start, read, event, reply or tick".into());
    };
    if !out.is_null() {
        check_output(&out, step)?;
    }
    if let Some(want) = step.get("state") {
        subset(want, &subject.state(), "state")?;
    }
    if let Some(want) = step.get("stats") {
        subset(want, &subject.stats(), "stats")?;
    }
    if let Some(want) = step.get("metrics") {
        let at = step["metricsAt"].as_u64().unwrap_or(at);
        subset(want, &subject.metrics(at), "metrics")?;
    }
    Ok(())
}

fn check_output(out: &Value, step: &Value) -> Result<(), String> {
    let commands = &out["commands"];
    let want = step
        .get("commands")
        .cloned()
        .unwrap_or(Value::Array(vec![]));
    if *commands != want {
        return Err(format!(
            "commands differ\n  want {want}\n  got  {commands}\n  log  {}",
            out["log"]
        ));
    }
    let log = out["log"].as_array().cloned().unwrap_or_default();
    if let Some(want) = step.get("log") {
        let kinds: Vec<Value> = log.iter().map(|l| l["kind"].clone()).collect();
        if Value::Array(kinds.clone()) != *want {
            return Err(format!(
                "log kinds differ\n  want {want}\n  got  {kinds:?}\n  log  {}",
                out["log"]
            ));
        }
    }
    for text in step["logIncludes"].as_array().into_iter().flatten() {
        let text = text.as_str().unwrap_or_default();
        if !log
            .iter()
            .any(|l| l["message"].as_str().is_some_and(|m| m.contains(text)))
        {
            return Err(format!("no log message contains {text:?}: {}", out["log"]));
        }
    }
    if let Some(want) = step.get("matched") {
        let got: Vec<Value> = out["decisions"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|d| d["trace"]["rules"].as_array().cloned().unwrap_or_default())
            .filter(|r| r["matched"] == Value::Bool(true))
            .map(|r| r["rule"].clone())
            .collect();
        if Value::Array(got.clone()) != *want {
            return Err(format!("matched rules differ: want {want}, got {got:?}"));
        }
    }
    if let Some(want) = step.get("wakeAt") {
        if out["wakeAt"] != *want {
            return Err(format!("wakeAt: want {want}, got {}", out["wakeAt"]));
        }
    }
    Ok(())
}
