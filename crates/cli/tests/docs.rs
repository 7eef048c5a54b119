//! Docs that cannot drift: every `omnisync` command shown with its output in
//! docs/cli.md and docs/rules.md is run, and its output compared with the one shown.
//!
//! What the test reads in the Markdown:
//! - a fenced block whose first line starts with `$ omnisync` holds commands (lines
//!   starting with `$ `), each followed by its output: standard output, then standard
//!   error. A last output line `...` means "the rest is not shown". `> FILE` sends
//!   standard output to a file (only standard error is then shown); `| head -N` keeps
//!   the first N lines. Trailing spaces do not count.
//! - `<!-- file: NAME -->` on the line before a fenced block writes the block to NAME,
//!   for later commands.
//!
//! Commands run in a fresh folder holding the repository's `examples/` and `tests/`
//! (linked), so the paths shown are the ones a reader types at the repository's root.

#![cfg(not(target_arch = "wasm32"))]

use std::path::{Path, PathBuf};
use std::process::Command;

struct Block {
    line: usize,
    text: String,
    file: Option<String>,
}

fn blocks(markdown: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let lines: Vec<&str> = markdown.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].trim_start().starts_with("```") {
            let file = i
                .checked_sub(1)
                .and_then(|p| lines[p].trim().strip_prefix("<!-- file:"))
                .and_then(|rest| rest.strip_suffix("-->"))
                .map(|name| name.trim().to_string());
            let start = i + 1;
            let mut end = start;
            while end < lines.len() && !lines[end].trim_start().starts_with("```") {
                end += 1;
            }
            out.push(Block {
                line: start,
                text: lines[start..end.min(lines.len())].join("\n"),
                file,
            });
            i = end + 1;
        } else {
            i += 1;
        }
    }
    out
}

fn workdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("omnisync-docs-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let root = Path::new(env!("OMNISYNC_ROOT"));
    for linked in ["examples", "tests"] {
        std::os::unix::fs::symlink(root.join(linked), dir.join(linked)).expect("link");
    }
    dir
}

/// Runs one shown command line; returns what a terminal would show.
fn run(dir: &Path, command: &str) -> String {
    let (command, head) = match command.split_once(" | head -") {
        Some((c, n)) => (c, n.trim().parse::<usize>().ok()),
        None => (command, None),
    };
    let (command, redirect) = match command.split_once(" > ") {
        Some((c, file)) => (c, Some(file.trim())),
        None => (command, None),
    };
    let words = split(command);
    assert_eq!(
        words.first().map(String::as_str),
        Some("omnisync"),
        "{command}"
    );
    let output = Command::new(env!("CARGO_BIN_EXE_omnisync"))
        .args(&words[1..])
        .current_dir(dir)
        .output()
        .expect("omnisync runs");
    let stdout = String::from_utf8_lossy(&output.stdout).to_string();
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    let mut shown = match redirect {
        Some(file) => {
            std::fs::write(dir.join(file), &stdout).expect("redirect");
            String::new()
        }
        None => stdout,
    };
    shown.push_str(&stderr);
    match head {
        Some(n) => shown.lines().take(n).collect::<Vec<_>>().join("\n"),
        None => shown,
    }
}

/// Words as a shell splits them, for the simple quoting the docs use.
fn split(command: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quote = None;
    let mut any = false;
    for c in command.chars() {
        match (quote, c) {
            (None, '"' | '\'') => {
                quote = Some(c);
                any = true;
            }
            (Some(q), c) if c == q => quote = None,
            (None, c) if c.is_whitespace() => {
                if any {
                    words.push(std::mem::take(&mut word));
                    any = false;
                }
            }
            (_, c) => {
                word.push(c);
                any = true;
            }
        }
    }
    if any {
        words.push(word);
    }
    words
}

fn lines(text: &str) -> Vec<String> {
    let mut all: Vec<String> = text.lines().map(|l| l.trim_end().to_string()).collect();
    while all.last().is_some_and(|l| l.is_empty()) {
        all.pop();
    }
    all
}

/// Runs every command of one document; returns each mismatch and the count run.
fn check(doc: &str) -> (Vec<String>, usize) {
    let path = Path::new(env!("OMNISYNC_ROOT")).join("docs").join(doc);
    let markdown = std::fs::read_to_string(&path).expect("doc exists");
    let dir = workdir(doc.trim_end_matches(".md"));
    let mut problems = Vec::new();
    let mut count = 0;
    for block in blocks(&markdown) {
        if let Some(name) = &block.file {
            std::fs::write(dir.join(name), format!("{}\n", block.text)).expect("write file");
            continue;
        }
        if !block.text.starts_with("$ omnisync") {
            continue;
        }
        let mut commands: Vec<(String, Vec<String>)> = Vec::new();
        for line in block.text.lines() {
            match line.strip_prefix("$ ") {
                Some(command) => commands.push((command.to_string(), Vec::new())),
                None => {
                    if let Some((_, shown)) = commands.last_mut() {
                        shown.push(line.trim_end().to_string());
                    }
                }
            }
        }
        for (command, mut shown) in commands {
            count += 1;
            let got = lines(&run(&dir, &command));
            while shown.last().is_some_and(|l| l.is_empty()) {
                shown.pop();
            }
            let cut = shown.last().is_some_and(|l| l == "...");
            if cut {
                shown.pop();
            }
            let same = if cut {
                got.len() >= shown.len() && got[..shown.len()] == shown[..]
            } else {
                got == shown
            };
            if !same {
                problems.push(format!(
                    "docs/{doc} line {}: `{command}` prints\n{}\n--- but the doc shows\n{}",
                    block.line + 1,
                    got.join("\n"),
                    shown.join("\n")
                ));
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    (problems, count)
}

#[test]
fn cli_md_commands_print_what_the_doc_shows() {
    let (problems, count) = check("cli.md");
    println!("docs/cli.md: {count} commands run");
    assert!(count >= 10, "only {count} commands found in docs/cli.md");
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

#[test]
fn rules_md_commands_print_what_the_doc_shows() {
    let (problems, count) = check("rules.md");
    println!("docs/rules.md: {count} commands run");
    assert!(count >= 1, "no command found in docs/rules.md");
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

/// The files `<!-- file: NAME -->` blocks of a doc write, by name.
fn doc_files(doc: &str) -> Vec<(String, String)> {
    let path = Path::new(env!("OMNISYNC_ROOT")).join("docs").join(doc);
    let markdown = std::fs::read_to_string(path).expect("doc exists");
    blocks(&markdown)
        .into_iter()
        .filter_map(|b| Some((b.file?, b.text)))
        .collect()
}

fn omnisync_in(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_omnisync"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("omnisync runs")
}

#[test]
fn the_how_to_for_no_phone_during_a_call_passes_check_and_holds_the_change() {
    let dir = workdir("howto");
    for (name, text) in doc_files("rules.md") {
        std::fs::write(dir.join(name), text).expect("write");
    }
    let check = omnisync_in(&dir, &["check", "no-phone-during-call.json"]);
    assert_eq!(check.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&check.stdout).expect("json");
    assert_eq!(report, serde_json::json!({"errors": [], "warnings": []}));
    let run = omnisync_in(
        &dir,
        &[
            "simulate",
            "--rules",
            "no-phone-during-call.json",
            "--catalog",
            "examples/org-statuses.json",
            "--events",
            "call-then-break.jsonl",
        ],
    );
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&run.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    // Break during after-call work: held, not sent; sent when the phone is Available.
    let held = &lines[4];
    assert_eq!(held["actions"], serde_json::json!([]));
    assert_eq!(held["notActed"][0]["outcome"], "deferred", "{held}");
    assert_eq!(lines[5]["actions"][0]["state"], "Break", "{}", lines[5]);
    assert_eq!(lines[6]["summary"]["finalTelephony"], "Break");
    // The guarded version is warned about.
    let guarded = omnisync_in(&dir, &["check", "guarded.json"]);
    assert_eq!(guarded.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&guarded.stdout).expect("json");
    assert_eq!(
        report["warnings"][0]["code"], "check.guardDropsDeferred",
        "{report}"
    );
    let message = report["warnings"][0]["message"]
        .as_str()
        .unwrap_or_default();
    assert!(message.contains("holds a phone change"), "{message}");
    assert!(message.contains("this guard drops the change"), "{message}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The `check.*` codes a text names, in order of first mention.
fn check_codes(text: &str) -> Vec<String> {
    let mut codes = Vec::new();
    for (i, _) in text.match_indices("`check.") {
        let code: String = text[i + 1..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '.')
            .collect();
        if !codes.contains(&code) {
            codes.push(code);
        }
    }
    codes
}

#[test]
fn cli_md_and_rules_md_list_the_same_check_only_findings() {
    let read = |doc: &str| {
        std::fs::read_to_string(Path::new(env!("OMNISYNC_ROOT")).join("docs").join(doc))
            .expect("doc")
    };
    let rules = read("rules.md");
    let table = rules
        .split("## Findings of omnisync check")
        .nth(1)
        .and_then(|rest| rest.split("\n\n**").next())
        .unwrap_or_default();
    let cli = read("cli.md");
    let sentence = cli
        .split("the check-only findings:")
        .nth(1)
        .and_then(|rest| rest.split("\n\n").next())
        .unwrap_or_default();
    let mut in_rules = check_codes(table);
    let mut in_cli = check_codes(sentence);
    in_rules.sort();
    in_cli.sort();
    assert!(in_rules.len() >= 5, "{in_rules:?}");
    assert_eq!(in_cli, in_rules);
}

/// The text of the `$ omnisync` block that runs `command` in a doc, as shown.
fn shown_output(doc: &str, command: &str) -> String {
    let path = Path::new(env!("OMNISYNC_ROOT")).join("docs").join(doc);
    let markdown = std::fs::read_to_string(path).expect("doc exists");
    blocks(&markdown)
        .into_iter()
        .find(|b| b.text.starts_with(&format!("$ {command}\n")))
        .map(|b| b.text)
        .unwrap_or_default()
}

#[test]
fn rules_md_shows_the_restricted_state_and_loop_errors_with_their_fixes_in_one_run() {
    // The doc's block is compared with the command's output by
    // rules_md_commands_print_what_the_doc_shows; here, what it must say.
    let shown = shown_output(
        "rules.md",
        "omnisync check tests/fixtures/check/restricted-and-loop.json --format table",
    );
    let restricted = shown
        .lines()
        .skip_while(|l| !l.contains("rules.restrictedDestination"))
        .nth(1)
        .unwrap_or_default();
    assert!(
        restricted.contains("the rule \"Omni Lunch -> phone ACW\" ($.rules[1])"),
        "{shown}"
    );
    assert!(
        restricted.contains("a rule may set Lunch, Break"),
        "{shown}"
    );
    assert!(restricted.contains("telephony.systemStates"), "{shown}");
    let cycle = shown
        .lines()
        .skip_while(|l| !l.contains("check.cycle"))
        .nth(1)
        .unwrap_or_default();
    assert!(cycle.contains("Harmful:"), "{shown}");
    assert!(
        cycle.contains("To break it, change the rule \"phone Break -> Omni Busy\" ($.rules[3])"),
        "{shown}"
    );
    assert!(shown.contains("2 error(s)"), "{shown}");
    let oscillating = shown_output(
        "rules.md",
        "omnisync check examples/oscillating.json --format table",
    );
    assert!(
        oscillating.contains("To break it, change the rule"),
        "{oscillating}"
    );
}

fn doc_text(name: &str) -> String {
    let path = Path::new(env!("OMNISYNC_ROOT")).join(name);
    std::fs::read_to_string(path).expect("doc exists")
}

#[test]
fn the_cti_adapter_import_section_says_what_to_do_with_the_adapters_own_sync() {
    let cli = doc_text("docs/cli.md");
    let section = cli
        .split("### --from cti-adapter")
        .nth(1)
        .and_then(|rest| rest.split("\n### ").next())
        .unwrap_or_default();
    assert!(section.contains("not turned on by default"), "{section}");
    assert!(
        section.contains("turn the adapter's presence\nsync off"),
        "{section}"
    );
    assert!(
        section.contains("salesforce.md#orgs-on-the-amazon-connect-cti-adapter"),
        "{section}"
    );
    // The link's target exists.
    assert!(doc_text("docs/salesforce.md").contains("### Orgs on the Amazon Connect CTI Adapter"));
}

#[test]
fn the_readme_and_cli_md_say_how_to_install_run_and_uninstall_the_command() {
    for name in ["README.md", "docs/cli.md"] {
        let text = doc_text(name).replace('\n', " ");
        for needed in [
            "cargo install --path .",
            "cargo run --release --bin omnisync --",
            "./target/release/omnisync",
            "cargo uninstall omnisync",
        ] {
            assert!(text.contains(needed), "{name} lacks {needed}");
        }
    }
}
