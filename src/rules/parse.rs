//! Reads a rules file into [`RulesFile`], collecting every shape error instead of
//! stopping at the first: each top-level section and each list element is read on its
//! own, so one typo does not hide the next.

use super::file::{MappingDef, Mappings, Options, RuleDef, RulesFile, StatusDef};
use crate::error::Finding;
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

/// Parses JSON text; a syntax error is reported with its line and column.
pub fn parse_str(text: &str) -> Result<RulesFile, Vec<Finding>> {
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
    parse_value(&value)
}

/// Parses an already decoded JSON value.
pub fn parse_value(value: &Value) -> Result<RulesFile, Vec<Finding>> {
    let mut errors = Vec::new();
    let Some(top) = value.as_object() else {
        return Err(vec![Finding::new(
            "rules.shape",
            "$",
            "the rules file must be a JSON object",
        )]);
    };
    for key in top.keys() {
        if !TOP_LEVEL.contains(&key.as_str()) {
            errors.push(Finding::new(
                "rules.shape",
                format!("$.{key}"),
                format!(
                    "unknown field \"{key}\"; the rules file has {}",
                    TOP_LEVEL[..7].join(", ")
                ),
            ));
        }
    }
    let version = required::<u32>(top, "version", &mut errors);
    let statuses = list::<StatusDef>(top.get("statuses"), "$.statuses", true, &mut errors);
    let telephony = required(top, "telephony", &mut errors);
    let channels = list(top.get("channels"), "$.channels", false, &mut errors);
    let mappings = mappings(top.get("mappings"), &mut errors);
    let rules = list::<RuleDef>(top.get("rules"), "$.rules", false, &mut errors);
    let options = optional::<Options>(top, "options", &mut errors).unwrap_or_default();
    match (version, telephony) {
        (Some(version), Some(telephony)) if errors.is_empty() => Ok(RulesFile {
            version,
            statuses,
            telephony,
            channels,
            mappings,
            rules,
            options,
        }),
        _ => Err(errors),
    }
}

fn mappings(value: Option<&Value>, errors: &mut Vec<Finding>) -> Mappings {
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
    Mappings {
        telephony_to_omni: list::<MappingDef>(
            obj.get("telephonyToOmni"),
            "$.mappings.telephonyToOmni",
            false,
            errors,
        ),
        omni_to_telephony: list::<MappingDef>(
            obj.get("omniToTelephony"),
            "$.mappings.omniToTelephony",
            false,
            errors,
        ),
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

fn list<T: DeserializeOwned>(
    value: Option<&Value>,
    path: &str,
    required: bool,
    errors: &mut Vec<Finding>,
) -> Vec<T> {
    match value {
        None if required => {
            errors.push(shape("$", &format!("missing field \"{}\"", &path[2..])));
            Vec::new()
        }
        None => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| element(item, &format!("{path}[{i}]"), errors))
            .collect(),
        Some(_) => {
            errors.push(shape(path, "must be a list"));
            Vec::new()
        }
    }
}

/// Deserialises one element, turning serde's error into a finding with the full path.
fn element<T: DeserializeOwned>(value: &Value, path: &str, errors: &mut Vec<Finding>) -> Option<T> {
    match serde_path_to_error::deserialize::<_, T>(value) {
        Ok(v) => Some(v),
        Err(e) => {
            let mut full = path.to_string();
            for segment in e.path().iter() {
                match segment {
                    serde_path_to_error::Segment::Seq { index } => {
                        full.push_str(&format!("[{index}]"))
                    }
                    serde_path_to_error::Segment::Map { key } => {
                        full.push('.');
                        full.push_str(key);
                    }
                    serde_path_to_error::Segment::Enum { variant } => {
                        full.push('.');
                        full.push_str(variant);
                    }
                    serde_path_to_error::Segment::Unknown => {}
                }
            }
            errors.push(shape(&full, &e.into_inner().to_string()));
            None
        }
    }
}

fn shape(path: &str, message: &str) -> Finding {
    Finding::new("rules.shape", path, message)
}
