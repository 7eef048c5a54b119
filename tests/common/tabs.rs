//! The tab scenarios (`tests/conformance/tabs/*.json`, `"kind": "tabs"`): leadership,
//! follower confirmation, takeover and the saved session, run by every
//! implementation: native Rust (`omnisync::tabs::Tab`), the wasm `Tab` class in node and
//! Chromium, and the JavaScript API (`www/test/conformance.test.mjs`).
//!
//! A scenario gives `rules`, `options` (`{orgId, userId, bridgeTimeoutMs, storage,
//! seed}`: `storage` says whether the tab can save its session), the names of its
//! `tabs` (each a tab of its own, `["a"]` when absent) and `steps`. Each step happens
//! at `at` (ms) in one `tab` (the first when absent) and makes one `call` (see
//! `Tab::call`: `{"lock": true}`, `{"event": {...}}`, `{"done": {side, target}}`...).
//! It then expects: `commands` (exactly; none when absent), `reads`, `notify`,
//! `timers` and `results` (exactly, when given), `save` (`"write"`, or `{"after": at}`),
//! `trace` (the trace lines' kinds, exactly), `traceIncludes` (texts found in the
//! trace's messages), `leads` (the tab leads after the step), `error` (the call is
//! refused with a text containing this) and `state` (a subset of the tab's agent
//! state).

use super::{each_step, run_file, subset};
use serde_json::Value;
use std::collections::BTreeMap;

/// One implementation of a tab; a call's output is its step as JSON.
pub trait TabSubject: Sized {
    fn load(rules: &Value, options: &Value) -> Result<Self, String>;
    fn call(&mut self, call: &Value, at: u64) -> Result<Value, String>;
    fn leads(&self) -> bool;
    fn state(&self) -> Value;
}

/// Runs one tab scenario file, panicking with the first mismatch.
pub fn run<S: TabSubject>(name: &str, text: &str) {
    run_file(name, text, run_value::<S>);
}

fn run_value<S: TabSubject>(scenario: &Value) -> Result<(), String> {
    if scenario["kind"] != "tabs" {
        return Err("a tab scenario has \"kind\": \"tabs\"".into());
    }
    let options = scenario.get("options").cloned().unwrap_or(Value::Null);
    let names: Vec<&str> = match scenario.get("tabs") {
        Some(list) => list
            .as_array()
            .ok_or("tabs is a list of names")?
            .iter()
            .filter_map(Value::as_str)
            .collect(),
        None => vec!["a"],
    };
    let first = *names.first().ok_or("tabs names at least one tab")?;
    let mut tabs = BTreeMap::new();
    for name in &names {
        tabs.insert(*name, S::load(&scenario["rules"], &options)?);
    }
    each_step(scenario, |step| {
        let name = step["tab"].as_str().unwrap_or(first);
        let tab = tabs.get_mut(name).ok_or_else(|| format!("no tab {name}"))?;
        step_run(tab, step).map_err(|why| format!("tab {name}: {why}"))
    })
}

fn step_run<S: TabSubject>(tab: &mut S, step: &Value) -> Result<(), String> {
    let at = step["at"].as_u64().ok_or("every step needs \"at\"")?;
    let call = step.get("call").ok_or("every step needs a \"call\"")?;
    match (tab.call(call, at), step.get("error")) {
        (Err(why), Some(want)) if why.contains(want.as_str().unwrap_or_default()) => {}
        (Err(why), _) => return Err(format!("call refused: {why}")),
        (Ok(_), Some(want)) => return Err(format!("call accepted, want error {want}")),
        (Ok(out), None) => check(&out, step)?,
    }
    if let Some(want) = step.get("leads") {
        if Value::Bool(tab.leads()) != *want {
            return Err(format!("leads: want {want}, got {}", tab.leads()));
        }
    }
    if let Some(want) = step.get("state") {
        subset(want, &tab.state(), "state")?;
    }
    Ok(())
}

/// Checks one step's output `{commands, reads, notify, timers, save?, results, trace}`.
pub fn check(out: &Value, step: &Value) -> Result<(), String> {
    let trace = out["trace"].as_array().cloned().unwrap_or_default();
    let none = Value::Array(vec![]);
    let want = step.get("commands").unwrap_or(&none);
    if out["commands"] != *want {
        let got = &out["commands"];
        return Err(format!(
            "commands differ\n  want {want}\n  got  {got}\n  trace {trace:?}"
        ));
    }
    for field in ["reads", "notify", "timers", "results"] {
        if let Some(want) = step.get(field) {
            if out[field] != *want {
                let got = &out[field];
                return Err(format!("{field}: want {want}, got {got}"));
            }
        }
    }
    match step.get("save") {
        Some(Value::String(write)) if write == "write" && !out["save"]["write"].is_string() => {
            return Err(format!("save: want a write, got {}", out["save"]));
        }
        Some(Value::String(write)) if write == "write" => {}
        Some(want) if out["save"] != *want => {
            return Err(format!("save: want {want}, got {}", out["save"]));
        }
        _ => {}
    }
    if let Some(want) = step.get("trace") {
        let kinds: Vec<Value> = trace.iter().map(|l| l["kind"].clone()).collect();
        if Value::Array(kinds.clone()) != *want {
            return Err(format!(
                "trace kinds differ\n  want {want}\n  got  {kinds:?}\n  trace {trace:?}"
            ));
        }
    }
    for text in step["traceIncludes"].as_array().into_iter().flatten() {
        let text = text.as_str().unwrap_or_default();
        if !trace
            .iter()
            .any(|l| l["message"].as_str().is_some_and(|m| m.contains(text)))
        {
            return Err(format!("no trace message contains {text:?}: {trace:?}"));
        }
    }
    Ok(())
}
