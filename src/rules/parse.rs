//! Reads a rules file into [`RulesFile`], collecting every shape error instead of
//! stopping at the first: each top-level section and each list element is read on its
//! own, so one typo does not hide the next. The elements that could be read go on to
//! be checked for meaning, with their original positions kept for the error paths.

use super::file::{MappingDef, Mappings, Options, RuleDef, RulesFile, StatusDef, TelephonyDef};
use crate::error::Finding;
use crate::node::typed;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

const TOP_LEVEL: [&str; 8] = [
    "version",
    "statuses",
    "telephony",
    "channels",
    "mappings",
    "rules",
    "options",
    "$schema",
];

/// The sizes a rules file may have (docs/rules.md, "Limits"). A file past one is
/// refused at once with `rules.tooLarge` naming the limit, so reading and checking any
/// file takes bounded time and memory, natively and in the browser.
pub const MAX_FILE_BYTES: usize = 8 * 1024 * 1024;
pub const MAX_STATUSES: usize = 50_000;
pub const MAX_RULES: usize = 10_000;
/// Per list: `telephonyToOmni` and `omniToTelephony` each.
pub const MAX_MAPPINGS: usize = 10_000;
/// Telephony states, system states, channels, and any other list in the file.
pub const MAX_LIST: usize = 10_000;
/// Characters in any one string (names, Ids, labels...).
pub const MAX_STRING: usize = 1_000;
/// Errors reported for one file; the rest are counted.
pub const MAX_FINDINGS: usize = 100;
/// Names listed in one error message; the rest are counted.
pub const MAX_LISTED: usize = 10;

/// Where each element of the readable file stood in the original lists, and the names
/// of rules that could not be read (so a later duplicate is still caught).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Origin {
    pub(crate) statuses: Vec<usize>,
    pub(crate) rules: Vec<usize>,
    pub(crate) telephony_to_omni: Vec<usize>,
    pub(crate) omni_to_telephony: Vec<usize>,
    pub(crate) unreadable_rule_names: Vec<(usize, String)>,
}

/// What could be read of a rules file, and what could not.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Draft {
    pub(crate) file: RulesFile,
    pub(crate) origin: Origin,
    pub(crate) errors: Vec<Finding>,
}

/// Parses JSON text; a syntax error is reported with its line and column.
pub(crate) fn read_str(text: &str) -> Result<Draft, Vec<Finding>> {
    if text.len() > MAX_FILE_BYTES {
        return Err(vec![too_large(
            "$",
            format!(
                "the rules file is {} bytes; the limit is {MAX_FILE_BYTES} bytes",
                text.len()
            ),
        )]);
    }
    let value: Value = serde_json::from_str(text).map_err(|e| {
        vec![Finding::new(
            "rules.syntax",
            "$",
            format!(
                "the rules file is not valid JSON at line {}, column {}: {e}",
                e.line(),
                e.column()
            ),
        )]
    })?;
    read_value(&value)
}

/// Reads an already decoded JSON value. Only a value that is not an object at all is
/// refused outright; everything else yields a draft with its errors.
pub(crate) fn read_value(value: &Value) -> Result<Draft, Vec<Finding>> {
    let Some(top) = value.as_object() else {
        return Err(vec![shape("$", "the rules file must be a JSON object")]);
    };
    within_limits(value)?;
    let mut errors = Vec::new();
    let mut origin = Origin::default();
    for key in top.keys() {
        if !TOP_LEVEL.contains(&key.as_str()) {
            errors.push(shape(
                &format!("$.{key}"),
                &format!(
                    "unknown field \"{key}\"; the rules file has {}",
                    TOP_LEVEL[..7].join(", ")
                ),
            ));
        }
    }
    let version = required::<u32>(top, "version", &mut errors);
    let (statuses, positions) =
        list::<StatusDef>(top.get("statuses"), "$.statuses", true, &mut errors);
    origin.statuses = positions;
    let telephony = required::<TelephonyDef>(top, "telephony", &mut errors);
    let (channels, _) = list(top.get("channels"), "$.channels", false, &mut errors);
    let mappings = mappings(top.get("mappings"), &mut origin, &mut errors);
    let (rules, positions) = list::<RuleDef>(top.get("rules"), "$.rules", false, &mut errors);
    if let Some(Value::Array(all)) = top.get("rules") {
        let mut read = vec![false; all.len()];
        for &i in &positions {
            read[i] = true;
        }
        origin.unreadable_rule_names = all
            .iter()
            .enumerate()
            .filter(|(i, _)| !read[*i])
            .filter_map(|(i, r)| Some((i, r.get("name")?.as_str()?.to_string())))
            .collect();
    }
    origin.rules = positions;
    let options = optional::<Options>(top, "options", &mut errors).unwrap_or_default();
    // A missing or unreadable section is already reported; stand-ins let the rest of
    // the file be checked without piling up errors that follow from it.
    let file = RulesFile {
        schema: top
            .get("$schema")
            .and_then(Value::as_str)
            .map(str::to_string),
        version: version.unwrap_or(1),
        statuses,
        telephony: telephony.unwrap_or(TelephonyDef {
            system: String::new(),
            states: Vec::new(),
            system_states: None,
        }),
        channels,
        mappings,
        rules,
        options,
    };
    Ok(Draft {
        file,
        origin,
        errors: capped(errors),
    })
}

/// Refuses a file past a size limit before any of it is read for meaning.
fn within_limits(value: &Value) -> Result<(), Vec<Finding>> {
    let counts = [
        ("$.statuses", MAX_STATUSES, "statuses"),
        ("$.rules", MAX_RULES, "rules"),
        (
            "$.mappings.telephonyToOmni",
            MAX_MAPPINGS,
            "mappings per list",
        ),
        (
            "$.mappings.omniToTelephony",
            MAX_MAPPINGS,
            "mappings per list",
        ),
    ];
    let mut errors = Vec::new();
    // The least the value takes as JSON text: the byte limit holds for a value that
    // arrives already decoded (the browser's JSON.parse) as for text.
    let mut bytes = 0usize;
    // Every list and string, without recursion: the nesting is the caller's to bound.
    let mut stack: Vec<(&Value, String)> = vec![(value, "$".to_string())];
    while let Some((v, path)) = stack.pop() {
        if errors.len() >= MAX_LISTED {
            break;
        }
        bytes += match v {
            Value::Null | Value::Bool(true) => 4,
            Value::Bool(false) => 5,
            Value::Number(_) => 1,
            Value::String(s) => s.len() + 2,
            Value::Array(a) => a.len() + 1,
            Value::Object(m) => m.keys().map(|k| k.len() + 4).sum::<usize>() + 1,
        };
        if bytes > MAX_FILE_BYTES {
            errors.push(too_large(
                "$",
                format!("the rules file is over {MAX_FILE_BYTES} bytes as JSON; the limit is {MAX_FILE_BYTES} bytes"),
            ));
            break;
        }
        match v {
            Value::String(s) if s.chars().count() > MAX_STRING => errors.push(too_large(
                &path,
                format!(
                    "a string of {} characters; the limit is {MAX_STRING} characters per string",
                    s.chars().count()
                ),
            )),
            Value::Array(items) => {
                let (limit, what) = counts
                    .iter()
                    .find(|(p, _, _)| *p == path)
                    .map_or((MAX_LIST, "entries per list"), |(_, n, what)| (*n, *what));
                if items.len() > limit {
                    errors.push(too_large(
                        &path,
                        format!("{} entries; the limit is {limit} {what}", items.len()),
                    ));
                    continue;
                }
                stack.extend(
                    items
                        .iter()
                        .enumerate()
                        .map(|(i, v)| (v, format!("{path}[{i}]"))),
                );
            }
            Value::Object(map) => {
                for (key, v) in map {
                    if key.chars().count() > MAX_STRING {
                        errors.push(too_large(
                            &path,
                            format!("a key of {} characters; the limit is {MAX_STRING} characters per string", key.chars().count()),
                        ));
                    } else {
                        stack.push((v, format!("{path}.{key}")));
                    }
                }
            }
            _ => {}
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

fn too_large(path: &str, message: String) -> Finding {
    Finding::new("rules.tooLarge", path, message)
}

/// At most [`MAX_FINDINGS`] errors, the last one saying how many more there were.
pub(crate) fn capped(mut errors: Vec<Finding>) -> Vec<Finding> {
    if errors.len() > MAX_FINDINGS {
        let more = errors.len() - MAX_FINDINGS;
        errors.truncate(MAX_FINDINGS);
        errors.push(Finding::new(
            "rules.tooManyErrors",
            "$",
            format!("and {more} more errors (the first {MAX_FINDINGS} are listed)"),
        ));
    }
    errors
}

fn mappings(value: Option<&Value>, origin: &mut Origin, errors: &mut Vec<Finding>) -> Mappings {
    let Some(value) = value else {
        return Mappings::default();
    };
    let Some(obj) = value.as_object() else {
        errors.push(shape("$.mappings", "\"mappings\" must be an object"));
        return Mappings::default();
    };
    for key in obj.keys() {
        if key != "telephonyToOmni" && key != "omniToTelephony" {
            errors.push(shape(
                &format!("$.mappings.{key}"),
                &format!(
                    "unknown field \"{key}\"; mappings has telephonyToOmni and omniToTelephony"
                ),
            ));
        }
    }
    let (telephony_to_omni, positions) = list::<MappingDef>(
        obj.get("telephonyToOmni"),
        "$.mappings.telephonyToOmni",
        false,
        errors,
    );
    origin.telephony_to_omni = positions;
    let (omni_to_telephony, positions) = list::<MappingDef>(
        obj.get("omniToTelephony"),
        "$.mappings.omniToTelephony",
        false,
        errors,
    );
    origin.omni_to_telephony = positions;
    Mappings {
        telephony_to_omni,
        omni_to_telephony,
    }
}

fn required<T: DeserializeOwned>(
    top: &Map<String, Value>,
    key: &str,
    errors: &mut Vec<Finding>,
) -> Option<T> {
    if !top.contains_key(key) {
        errors.push(shape("$", &format!("missing field \"{key}\"")));
        return None;
    }
    optional(top, key, errors)
}

fn optional<T: DeserializeOwned>(
    top: &Map<String, Value>,
    key: &str,
    errors: &mut Vec<Finding>,
) -> Option<T> {
    top.get(key)
        .and_then(|v| element(v, &format!("$.{key}"), errors))
}

/// Reads a list element by element; returns what could be read and where it stood.
fn list<T: DeserializeOwned>(
    value: Option<&Value>,
    path: &str,
    required: bool,
    errors: &mut Vec<Finding>,
) -> (Vec<T>, Vec<usize>) {
    match value {
        None if required => {
            errors.push(shape("$", &format!("missing field \"{}\"", &path[2..])));
            (Vec::new(), Vec::new())
        }
        None => (Vec::new(), Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| element(item, &format!("{path}[{i}]"), errors).map(|v| (v, i)))
            .unzip(),
        Some(_) => {
            errors.push(shape(path, "must be a list"));
            (Vec::new(), Vec::new())
        }
    }
}

/// Deserialises one element, turning serde's error into a finding with the full path.
fn element<T: DeserializeOwned>(value: &Value, path: &str, errors: &mut Vec<Finding>) -> Option<T> {
    match typed(value) {
        Ok(v) => Some(v),
        Err((inner, why)) => {
            errors.push(shape(&format!("{path}{}", &inner[1..]), &why));
            None
        }
    }
}

fn shape(path: &str, message: &str) -> Finding {
    Finding::new("rules.shape", path, message)
}
