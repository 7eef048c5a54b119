//! The conformance runner shared by every implementation: native Rust
//! (`tests/conformance.rs`) and the wasm binding in node and Chromium
//! (`crates/wasm/tests/wasm_*.rs`, whose subjects are in `crates/wasm/tests/subject.rs`). A subject only has to load rules, handle events and report
//! state and metrics as JSON; the scenario files say what must come out.

// Each test crate uses its own part of what is shared here.
#![allow(dead_code, unused_macros)]

use serde_json::Value;

pub mod sync;
pub mod tabs;

/// The text of `tests/conformance/FOLDER/NAME.json`, compiled in so wasm can read it too.
macro_rules! scenario_in {
    ($folder:literal, $name:ident) => {
        include_str!(concat!(
            env!("OMNISYNC_ROOT"),
            "/tests/conformance/",
            $folder,
            stringify!($name),
            ".json"
        ))
    };
}

/// The text of `tests/conformance/NAME.json`.
macro_rules! scenario {
    ($name:ident) => {
        scenario_in!("", $name)
    };
}

/// The text of `tests/conformance/sync/NAME.json`.
macro_rules! sync_scenario {
    ($name:ident) => {
        scenario_in!("sync/", $name)
    };
}

/// The text of `tests/conformance/tabs/NAME.json`.
macro_rules! tabs_scenario {
    ($name:ident) => {
        scenario_in!("tabs/", $name)
    };
}

/// Calls `$m!` with every tab scenario name; the native test
/// `every_tabs_scenario_file_is_listed` keeps this list in step with the folder.
macro_rules! for_each_tabs_scenario {
    ($m:ident) => {
        $m! {
            another_users_session_is_refused,
            follower_hears_nothing_acts_alone,
            follower_hears_the_leader_reads,
            leader_closes_follower_takes_over,
            lock_stolen_leader_mirrors,
            reload_mid_command_waits_for_the_role,
            two_tabs_one_acts,
        }
    };
}

/// Calls `$m!` with every sync scenario name; the native test
/// `every_sync_scenario_file_is_listed` keeps this list in step with the folder.
macro_rules! for_each_sync_scenario {
    ($m:ident) => {
        $m! {
            chain_limit,
            chain_limit_same_side,
            change_during_write_in_flight,
            coalescing,
            connection_lost_relogin,
            deferral_dropped_when_no_longer_wanted,
            deferral_during_after_call_work,
            drift_read_corrects_missed_change,
            echo_after_the_window,
            echo_of_telephony_write,
            echo_with_reason,
            echo_without_reason,
            idle_timer,
            idle_timer_not_with_work,
            latest_change_wins_without_master,
            logout_action_echo,
            logout_is_never_undone,
            logout_marks_open_work_unavailable,
            manual_reason_is_an_agent_change,
            master_side_wins,
            presence_records_user_service_presence,
            read_failure_keeps_agent_logged_in,
            read_not_logged_in_is_a_logout,
            reload_reads_classic_shapes,
            reload_reads_works_and_channels,
            retries_give_up,
            start_up_buffering,
            write_rejected_then_retried,
        }
    };
}

/// Calls `$m!` with every scenario name; the native test
/// `every_scenario_file_is_listed` keeps this list in step with the folder.
macro_rules! for_each_scenario {
    ($m:ident) => {
        $m! {
            already_in_state_echo,
            classic_guide_payloads,
            classic_presence_aliases,
            clock_never_goes_backwards,
            condition_groups_nested,
            cti_four_row_table,
            evaluation_all_matches,
            evaluation_first_match,
            exact_names_spaces_and_case,
            lightning_event_aliases,
            logout_rule_offline,
            phone_offline_logs_out_omni,
            malformed_events_leave_state_unchanged,
            mappings_compile_order,
            missing_operand_value,
            numeric_comparators,
            omni_channel_work_accepted,
            omni_logged_out_not_in_state,
            omni_old_status,
            operand_to_operand,
            presence_metrics_periods,
            restricted_destination_after_call_work,
            rules_multiple_errors,
            rules_structure_errors,
            status_id_15_to_18,
            status_named_offline_not_logout,
            status_not_in_catalog_is_away,
            system_states_override,
            telephony_system_state_readable,
            unknown_status_destination,
            work_item_lifecycle,
            workload_pct_ge_100,
            workload_string_values,
            zero_capacity_workload_pct,
        }
    };
}

/// One implementation under test.
pub trait Subject: Sized {
    /// Loads rules; on refusal returns the `(code, path)` of every finding.
    fn load(rules: &Value) -> Result<Self, Vec<(String, String)>>;
    /// Handles one event; on refusal returns the error code.
    fn handle(&mut self, event: &Value) -> Result<Value, String>;
    fn state(&self) -> Value;
    fn metrics(&self, now: u64) -> Value;
}

/// Runs one scenario file, panicking with every mismatch found.
pub fn run<S: Subject>(name: &str, text: &str) {
    run_file(name, text, run_value::<S>);
}

/// Reads the scenario file `name` (its `text`) and runs it with `run`, panicking with
/// the file's name and why it failed. Shared by every kind of scenario.
pub fn run_file(name: &str, text: &str, run: impl FnOnce(&Value) -> Result<(), String>) {
    let scenario: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => panic!("{name}: scenario is not valid JSON: {e}"),
    };
    if let Err(why) = run(&scenario) {
        panic!("{name}: {why}");
    }
}

/// Runs each of the scenario's `steps` in order; a failure names its step.
pub fn each_step(
    scenario: &Value,
    mut step: impl FnMut(&Value) -> Result<(), String>,
) -> Result<(), String> {
    let steps = scenario["steps"]
        .as_array()
        .ok_or("scenario has no steps")?;
    for (i, one) in steps.iter().enumerate() {
        step(one).map_err(|why| format!("step {i}: {why}"))?;
    }
    Ok(())
}

fn run_value<S: Subject>(scenario: &Value) -> Result<(), String> {
    let rules = scenario.get("rules").ok_or("scenario has no rules")?;
    let loaded = S::load(rules);
    if let Some(expected) = scenario.get("rulesErrors") {
        let mut want: Vec<(String, String)> = expected
            .as_array()
            .ok_or("rulesErrors must be a list")?
            .iter()
            .map(|e| (str_of(&e["code"]), str_of(&e["path"])))
            .collect();
        let mut got = match loaded {
            Ok(_) => return Err("rules were accepted but the scenario expects errors".into()),
            Err(got) => got,
        };
        want.sort();
        got.sort();
        return if want == got {
            Ok(())
        } else {
            Err(format!(
                "rules errors differ\n  want {want:?}\n  got  {got:?}"
            ))
        };
    }
    let mut subject = loaded.map_err(|e| format!("rules refused: {e:?}"))?;
    each_step(scenario, |step| step_run(&mut subject, step))
}

fn step_run<S: Subject>(subject: &mut S, step: &Value) -> Result<(), String> {
    if let Some(event) = step.get("event") {
        let before = subject.state();
        match (subject.handle(event), step.get("error")) {
            (Err(code), Some(want)) => {
                if Value::String(code.clone()) != *want {
                    return Err(format!("error code {code}, want {want}"));
                }
                if subject.state() != before {
                    return Err("a refused event changed the state".into());
                }
            }
            (Err(code), None) => return Err(format!("event refused with {code}")),
            (Ok(_), Some(want)) => return Err(format!("event accepted, want error {want}")),
            (Ok(decision), None) => check_decision(&decision, step)?,
        }
    }
    if let Some(want) = step.get("state") {
        subset(want, &subject.state(), "state")?;
    }
    if let Some(want) = step.get("metrics") {
        let at = step["metricsAt"]
            .as_u64()
            .ok_or("metrics needs metricsAt")?;
        subset(want, &subject.metrics(at), "metrics")?;
    }
    Ok(())
}

fn check_decision(decision: &Value, step: &Value) -> Result<(), String> {
    let actions = &decision["actions"];
    let want = step.get("actions").cloned().unwrap_or(Value::Array(vec![]));
    if *actions != want {
        return Err(format!(
            "actions differ\n  want {want}\n  got  {actions}\n  trace {}",
            decision["trace"]
        ));
    }
    if let Some(want) = step.get("matched") {
        let got: Vec<Value> = decision["trace"]["rules"]
            .as_array()
            .map(|rules| {
                rules
                    .iter()
                    .filter(|r| r["matched"] == Value::Bool(true))
                    .map(|r| r["rule"].clone())
                    .collect()
            })
            .unwrap_or_default();
        if Value::Array(got.clone()) != *want {
            return Err(format!("matched rules differ: want {want}, got {got:?}"));
        }
    }
    Ok(())
}

/// `want` is contained in `got`: objects by listed keys, arrays element-wise with the
/// same length, numbers within 1e-9.
pub fn subset(want: &Value, got: &Value, path: &str) -> Result<(), String> {
    match (want, got) {
        (Value::Object(w), Value::Object(g)) => w.iter().try_for_each(|(k, v)| {
            let here = format!("{path}.{k}");
            subset(v, g.get(k).unwrap_or(&Value::Null), &here)
        }),
        (Value::Array(w), Value::Array(g)) if w.len() == g.len() => w
            .iter()
            .zip(g)
            .enumerate()
            .try_for_each(|(i, (a, b))| subset(a, b, &format!("{path}[{i}]"))),
        (Value::Number(a), Value::Number(b)) => match (a.as_f64(), b.as_f64()) {
            (Some(x), Some(y)) if (x - y).abs() <= 1e-9 => Ok(()),
            _ => Err(format!("{path}: want {a}, got {b}")),
        },
        (w, g) if w == g => Ok(()),
        (w, g) => Err(format!("{path}: want {w}, got {g}")),
    }
}

fn str_of(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}
