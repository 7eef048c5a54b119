//! A `logoutOmni` rule action, as `omnisync simulate` runs it on the fixtures in
//! `tests/fixtures/logout/`: the phone going Offline logs the agent out of
//! Omni-Channel once, and the logout that follows is the action's echo, not an agent
//! change (the rule on `omni.logout` is never evaluated for it).

#![cfg(not(target_arch = "wasm32"))]

mod command;
use command::omnisync;

use serde_json::Value;

const RULES: &str = "tests/fixtures/logout/rules.json";

#[test]
fn the_phone_going_offline_logs_the_agent_out_once() {
    let events = "tests/fixtures/logout/trace.jsonl";
    let out = omnisync(&["simulate", "--rules", RULES, "--events", events]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    let logouts: Vec<(&Value, &Value)> = lines
        .iter()
        .flat_map(|l| {
            let actions = l["actions"].as_array().map_or(&[][..], Vec::as_slice);
            actions.iter().map(move |a| (&l["at"], a))
        })
        .filter(|(_, a)| a["type"] == "logoutOmni")
        .collect();
    assert_eq!(logouts.len(), 1, "{text}");
    let (at, action) = logouts[0];
    assert_eq!(*at, 60000);
    assert_eq!(action["rule"], "phone offline logs out of Omni");
    // The second Offline finds the agent logged out already.
    assert_eq!(lines[3]["matched"][0], "phone offline logs out of Omni");
    assert_eq!(lines[3]["actions"], serde_json::json!([]));
    // The logout is recognised as the action's echo.
    assert_eq!(lines[1]["echoes"], 1, "{text}");
    let echo_rule = "Omni logout sets the phone offline";
    assert!(!text.contains(echo_rule), "{text}");
    let summary = &lines[4]["summary"];
    assert_eq!(summary["actions"], summary["echoes"], "{text}");
    assert_eq!(summary["finalOmni"], "Offline");
}

#[test]
fn logout_omni_takes_true() {
    let text = std::fs::read_to_string(std::path::Path::new(env!("OMNISYNC_ROOT")).join(RULES))
        .expect("fixture")
        .replace(r#"{"logoutOmni": true}"#, r#"{"logoutOmni": false}"#);
    let dir = std::env::temp_dir().join(format!("omnisync-logout-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("false.json");
    std::fs::write(&path, text).expect("write");
    let out = omnisync(&["check", path.to_str().unwrap_or_default()]);
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).expect("json report");
    assert_eq!(report["errors"][0]["path"], "$.rules[0].then[0].logoutOmni");
}
