//! Vocabularies written once: the toolkit commands (`src/toolkit.rs`) and the operands
//! (`src/rules/operand.rs`) are tables in the core; every other list of them is compared
//! with the table here, or with `schema/toolkit.json`, which is the toolkit table
//! written out for what cannot read Rust (the Aura bridge's Jest test holds its
//! allow-list to it; `www/test/toolkit-bridges.test.mjs` holds the shim's bridges to it).
//! A stale `schema/toolkit.json` fails here: `OMNISYNC_WRITE_TOOLKIT=1 cargo test --test
//! vocabulary` writes it again.

#![cfg(not(target_arch = "wasm32"))]

use omnisync::action::Action;
use omnisync::rules::file::{Operand, OperandType};
use omnisync::rules::operand::Availability;
use omnisync::toolkit::{Arg, BridgeAllows, ToolkitCommand, Use};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::path::Path;

fn read(path: &str) -> String {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn arg_json(arg: Arg) -> Value {
    match arg {
        Arg::None => Value::Null,
        Arg::StatusId => json!("statusId"),
        Arg::StateName => json!("name"),
    }
}

fn allows_name(allows: BridgeAllows) -> &'static str {
    match allows {
        BridgeAllows::Always => "always",
        BridgeAllows::Never => "never",
        BridgeAllows::IfARuleUsesIt => "ifARuleUsesIt",
    }
}

fn use_name(used: Use) -> &'static str {
    match used {
        Use::Action => "action",
        Use::Relogin => "relogin",
        Use::Read => "read",
        Use::FirstRead => "firstRead",
    }
}

/// The toolkit table as `schema/toolkit.json` holds it.
fn toolkit_json() -> String {
    let commands: Vec<Value> = ToolkitCommand::ALL
        .iter()
        .map(|&c| {
            json!({
                "command": format!("{c:?}"),
                "method": c.method(),
                "bridge": c.side().name(),
                "arg": arg_json(c.arg()),
                "use": use_name(c.used()),
                "bridgeAllows": allows_name(c.bridge_allows()),
            })
        })
        .collect();
    let table = json!({
        "$comment": "The bridge methods the engine calls: src/toolkit.rs, written out by tests/vocabulary.rs (OMNISYNC_WRITE_TOOLKIT=1 cargo test --test vocabulary). Do not edit.",
        "commands": commands,
    });
    serde_json::to_string_pretty(&table).expect("json") + "\n"
}

#[test]
fn schema_toolkit_json_is_the_toolkit_table() {
    let want = toolkit_json();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/toolkit.json");
    if std::env::var_os("OMNISYNC_WRITE_TOOLKIT").is_some() {
        std::fs::write(&path, &want).expect("write schema/toolkit.json");
    }
    let shipped = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(
        shipped, want,
        "schema/toolkit.json is not src/toolkit.rs's table: run `OMNISYNC_WRITE_TOOLKIT=1 cargo test --test vocabulary`"
    );
}

/// The rows of the Markdown table whose header line starts with `header`, each cell
/// trimmed.
fn table(markdown: &str, header: &str) -> Vec<Vec<String>> {
    let lines: Vec<&str> = markdown.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.starts_with(header))
        .unwrap_or_else(|| panic!("no table headed {header:?}"));
    lines[start + 2..]
        .iter()
        .take_while(|l| l.starts_with('|'))
        .map(|l| {
            l.trim_matches('|')
                .split('|')
                .map(|c| c.trim().to_string())
                .collect()
        })
        .collect()
}

/// The `backticked` words of a text.
fn quoted(text: &str) -> Vec<String> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

#[test]
fn the_runtime_docs_table_is_the_toolkit_table() {
    let want: Vec<Vec<String>> = ToolkitCommand::ALL
        .iter()
        .map(|&c| {
            let arg = match c.arg() {
                Arg::None => "none",
                Arg::StatusId => "status Id",
                Arg::StateName => "state name",
            };
            let called = match c.used() {
                Use::Action => "to carry out an action",
                Use::Relogin => "after a lost connection",
                Use::Read => "every reconcile",
                Use::FirstRead => "the first reconcile after a (re)load",
            };
            let bridge = match c.side() {
                omnisync::rules::file::Side::Omni => "host",
                omnisync::rules::file::Side::Telephony => "telephony",
            };
            let allows = match c.bridge_allows() {
                BridgeAllows::Always => "yes",
                BridgeAllows::Never => "no",
                BridgeAllows::IfARuleUsesIt => {
                    "only if its own copy of the rules has a rule that issues it"
                }
            };
            [&format!("`{}`", c.method()), bridge, arg, called, allows]
                .map(str::to_string)
                .to_vec()
        })
        .collect();
    assert_eq!(table(&read("docs/runtime.md"), "| method | bridge |"), want);
}

fn methods(filter: impl Fn(ToolkitCommand) -> bool) -> BTreeSet<String> {
    ToolkitCommand::ALL
        .iter()
        .filter(|&&c| filter(c))
        .map(|c| c.method().to_string())
        .collect()
}

/// The methods declared in a TypeScript interface of a ```ts block.
fn interface(markdown: &str, name: &str) -> BTreeSet<String> {
    let start = markdown
        .find(&format!("interface {name} {{"))
        .unwrap_or_else(|| panic!("no interface {name}"));
    let body = &markdown[start..];
    let body = &body[..body.find("\n}").expect("interface ends")];
    body.lines()
        .skip(1)
        .filter_map(|l| {
            let l = l.trim();
            let end = l.find(['(', '?'])?;
            let name = &l[..end];
            let method = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric());
            (method && name != "subscribe").then(|| name.to_string())
        })
        .collect()
}

#[test]
fn docs_name_exactly_the_toolkit_tables_methods() {
    use omnisync::rules::file::Side;
    let runtime = read("docs/runtime.md");
    let omni = methods(|c| c.side() == Side::Omni);
    let phone = methods(|c| c.side() == Side::Telephony);
    assert_eq!(
        interface(&runtime, "HostBridge"),
        omni,
        "docs/runtime.md HostBridge"
    );
    assert_eq!(
        interface(&runtime, "TelephonyBridge"),
        phone,
        "docs/runtime.md TelephonyBridge"
    );
    let types = read("www/omnisync.d.ts");
    assert_eq!(
        interface(&types, "HostBridge"),
        omni,
        "www/omnisync.d.ts HostBridge"
    );
    assert_eq!(
        interface(&types, "TelephonyBridge"),
        phone,
        "www/omnisync.d.ts TelephonyBridge"
    );
    // The reply to a reconcile is keyed by the reads' methods.
    let reply = runtime
        .lines()
        .find(|l| l.starts_with("| `read(reply, now)`"))
        .expect("read(reply) row");
    let keys = &reply[reply.find('{').expect("keys")..reply.find('}').expect("keys")];
    let keys: BTreeSet<String> = keys
        .trim_matches('{')
        .split(',')
        .map(|k| k.trim().to_string())
        .collect();
    assert_eq!(
        keys,
        methods(|c| matches!(c.used(), Use::Read | Use::FirstRead))
    );
    // The message channel's commands are the ones the Aura bridge runs.
    let channel = read("docs/message-channel.md");
    let row = channel
        .lines()
        .find(|l| l.starts_with("| `command` | host -> bridge |"))
        .expect("command row");
    let listed = &row[row.find("the engine issues:").expect("list")..];
    let listed = &listed[..listed.find(')').expect("list ends")];
    let listed: BTreeSet<String> = quoted(listed).into_iter().collect();
    assert_eq!(
        listed,
        methods(|c| c.bridge_allows() != BridgeAllows::Never)
    );
}

#[test]
fn the_rules_docs_operands_table_is_the_operands_table() {
    let rules = read("docs/rules.md");
    let rows = table(&rules, "| operand | kind | available on |");
    let shown: Vec<(String, String, String)> = rows
        .iter()
        .map(|r| (r[0].clone(), r[1].clone(), r[2].clone()))
        .collect();
    assert_eq!(shown.len(), Operand::ALL.len(), "{shown:?}");
    for ((name, kind, available), &operand) in shown.iter().zip(Operand::ALL) {
        assert_eq!(name, &format!("`{}`", operand.name()));
        let want_kind = match operand.value_type() {
            OperandType::Text => "text",
            OperandType::Number => "number",
        };
        assert_eq!(kind.split(' ').next(), Some(want_kind), "{name}");
        let want_available = match operand.availability() {
            Availability::Always => "every trigger",
            Availability::WorkEvents => "the four work triggers only",
        };
        assert!(available.starts_with(want_available), "{name}: {available}");
    }
    // Each operand's value at each trigger.
    let values = table(&rules, "| operand | `telephony.stateChanged` |");
    let named: BTreeSet<String> = values.iter().flat_map(|r| quoted(&r[0])).collect();
    let all: BTreeSet<String> = Operand::ALL.iter().map(|o| o.name().to_string()).collect();
    assert_eq!(named, all, "docs/rules.md, the value each operand takes");
}

#[test]
fn the_spec_lists_the_operands_by_kind() {
    let spec = read("docs/spec-conformance.md");
    let start = spec.find("\n- text: ").expect("text operands");
    let end = spec[start..].find("\n\n").expect("list ends") + start;
    let list = &spec[start..end];
    let numbers_at = list.find("\n- numbers: ").expect("number operands");
    // The operands, not what the remarks in parentheses quote.
    let names = |part: &str| -> BTreeSet<String> {
        let mut bare = String::new();
        let mut depth = 0;
        for c in part.chars() {
            match c {
                '(' => depth += 1,
                ')' => depth -= 1,
                c if depth == 0 => bare.push(c),
                _ => {}
            }
        }
        quoted(&bare).into_iter().collect()
    };
    let of = |kind| -> BTreeSet<String> {
        Operand::ALL
            .iter()
            .filter(|o| o.value_type() == kind)
            .map(|o| o.name().to_string())
            .collect()
    };
    assert_eq!(names(&list[..numbers_at]), of(OperandType::Text));
    assert_eq!(names(&list[numbers_at..]), of(OperandType::Number));
}

/// One action of each kind. The match fails to compile on a new kind of action until
/// it has one here, so the tests below see every kind.
fn every_action() -> Vec<Action> {
    let all = vec![
        Action::SetOmniStatus {
            status_id: "0N5xx0000000001AAA".into(),
            developer_name: "Lunch".into(),
            rule: "r".into(),
        },
        Action::SetTelephonyState {
            state: "Lunch".into(),
            rule: "r".into(),
        },
        Action::LogoutOmni { rule: "r".into() },
    ];
    for action in &all {
        match action {
            Action::SetOmniStatus { .. }
            | Action::SetTelephonyState { .. }
            | Action::LogoutOmni { .. } => {}
        }
    }
    all
}

/// `export type Action = | { type: "x"; a: string } | ...` as `(type, [field])` pairs,
/// from whichever file of the wasm binding declares it.
fn typescript_actions() -> BTreeSet<(String, Vec<String>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/wasm/src");
    let mut sources: Vec<_> = std::fs::read_dir(&dir)
        .expect("crates/wasm/src")
        .filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
        .filter(|text| text.contains("export type Action ="))
        .collect();
    assert_eq!(sources.len(), 1, "one declaration of the TypeScript Action");
    let text = sources.remove(0);
    let start = text.find("export type Action =").expect("declared");
    text[start..]
        .lines()
        .skip(1)
        .map(str::trim)
        .take_while(|l| l.starts_with('|'))
        .map(|l| {
            let body = l.trim_start_matches('|').trim().trim_end_matches(';');
            let body = body.trim_start_matches('{').trim_end_matches('}');
            let mut kind = String::new();
            let mut fields = Vec::new();
            for part in body.split(';').map(str::trim).filter(|p| !p.is_empty()) {
                let (name, ty) = part.split_once(':').expect("name: type");
                match name.trim() {
                    "type" => kind = ty.trim().trim_matches('"').to_string(),
                    name => {
                        assert_eq!(ty.trim(), "string", "{l}");
                        fields.push(name.to_string());
                    }
                }
            }
            (kind, fields)
        })
        .collect()
}

#[test]
fn an_action_has_one_outside_form() {
    let mut want = BTreeSet::new();
    for action in every_action() {
        let fields: Vec<String> = action.fields().iter().map(|(n, _)| n.to_string()).collect();
        // serde writes `type`, then the fields, each a string.
        let json = serde_json::to_value(&action).expect("serialises");
        let object = json.as_object().expect("an object");
        assert_eq!(object["type"], action.type_name());
        let mut keys: Vec<&String> = object.keys().filter(|k| *k != "type").collect();
        keys.sort();
        let mut sorted = fields.iter().collect::<Vec<_>>();
        sorted.sort();
        assert_eq!(keys, sorted);
        assert!(object.values().all(Value::is_string));
        want.insert((action.type_name().to_string(), fields));
    }
    assert_eq!(typescript_actions(), want, "the TypeScript Action type");
}

/// A rules file's actions are the engine's kinds of action, by the same names, and
/// docs/rules.md's table of actions lists each (the schema is the one `omnisync
/// schema` writes, held to the code by crates/cli/tests/cli.rs).
#[test]
fn the_rules_files_actions_are_the_engines_and_the_docs() {
    let schema: Value = serde_json::from_str(&read("schema/rules.schema.json")).expect("schema");
    let file: BTreeSet<String> = schema["$defs"]["ActionDef"]["oneOf"]
        .as_array()
        .expect("ActionDef is one of its variants")
        .iter()
        .filter_map(|v| v["required"][0].as_str().map(str::to_string))
        .collect();
    let engine: BTreeSet<String> = every_action()
        .iter()
        .map(|a| a.type_name().to_string())
        .collect();
    assert_eq!(file, engine);
    let rows = table(&read("docs/rules.md"), "| action | checked against |");
    let documented: BTreeSet<String> = rows
        .iter()
        .filter_map(|r| Some(r[0].split('"').nth(1)?.to_string()))
        .collect();
    assert_eq!(documented, engine, "docs/rules.md, Actions");
}
