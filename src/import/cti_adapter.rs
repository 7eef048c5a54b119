//! Amazon Connect CTI Adapter "Presence Sync Rules": one rule per record, one
//! comparison per rule (Operand A, Comparator, Operand B), one destination.
//!
//! Records come as CSV with a header row (a report or Data Loader export) or as JSON
//! (a list of objects, or Salesforce's `{"records": [...]}`). Columns may be named by
//! their label ("Operand A Value") or API name (`amazonconnect__Operand_A_Value__c`,
//! with or without the namespace). Values match the documented labels ("Connect Agent
//! State Change", "Greater than or equal to") and the usual variants (see `key`).

use super::common::{
    describe, is_system_state, key, push_unique, read_records, rule_def, rules_file, ImportError,
    Imported, RawRecord, Skipped,
};
use crate::event::EventKind;
use crate::rules::file::{
    ActionDef, Comparator, Comparison, Condition, Operand, OperandType, Right, RuleDef,
};
use serde_json::Value;

/// The fields of a record: label (as the CTI Adapter shows it; used in messages),
/// whether a file must have the column, and the column names meaning it once
/// lower-cased and stripped of the `amazonconnect__` namespace, `__c` and punctuation.
const FIELDS: [(&str, bool, &[&str]); 10] = [
    (
        "Presence Sync Rule Name",
        true,
        &["presencesyncrulename", "name", "rulename"],
    ),
    ("Source", true, &["source", "sourceevent", "event"]),
    ("Operand A", true, &["operanda"]),
    ("Operand A Value", false, &["operandavalue"]),
    ("Comparator", true, &["comparator", "operator"]),
    ("Operand B", true, &["operandb"]),
    ("Operand B Value", false, &["operandbvalue"]),
    ("Destination", true, &["destination"]),
    ("Value", true, &["value", "destinationvalue"]),
    ("Active", false, &["active", "isactive"]),
];
const NAME: usize = 0;
const SOURCE: usize = 1;
const OPERAND_A: usize = 2;
const OPERAND_A_VALUE: usize = 3;
const COMPARATOR: usize = 4;
const OPERAND_B: usize = 5;
const OPERAND_B_VALUE: usize = 6;
const DESTINATION: usize = 7;
const VALUE: usize = 8;
const ACTIVE: usize = 9;

fn field_of(column: &str) -> Option<usize> {
    let lower = column.trim().to_lowercase();
    let bare = lower.strip_prefix("amazonconnect__").unwrap_or(&lower);
    let bare = bare.strip_suffix("__c").unwrap_or(bare);
    let compact: String = bare.chars().filter(|c| c.is_alphanumeric()).collect();
    FIELDS
        .iter()
        .position(|(_, _, names)| names.contains(&compact.as_str()))
}

/// One record by field; `None` where the JSON held a list or an object.
struct Record {
    position: String,
    fields: [Option<String>; 10],
}

impl Record {
    fn get(&self, f: usize) -> &str {
        self.fields[f].as_deref().unwrap_or("")
    }

    /// Several columns may mean one field (`Name` and a label); the first non-empty wins.
    fn from_raw(raw: RawRecord) -> Record {
        let mut fields: [Option<String>; 10] = std::array::from_fn(|_| Some(String::new()));
        for (column, cell) in raw.cells {
            if let Some(f) = field_of(&column) {
                if fields[f].as_deref().is_some_and(str::is_empty) {
                    fields[f] = cell;
                }
            }
        }
        Record {
            position: raw.position,
            fields,
        }
    }
}

/// Reads CTI Adapter presence sync rule records (CSV or JSON: the first character
/// decides) and converts them.
pub fn from_cti_adapter(text: &str) -> Result<Imported, ImportError> {
    let (columns, raw, lines) = read_records(text)?;
    // An empty JSON list has no columns to check and simply no rules.
    if !(columns.is_empty() && raw.is_empty()) {
        let present: Vec<usize> = columns.iter().filter_map(|c| field_of(c)).collect();
        let missing: Vec<String> = (0..FIELDS.len())
            .filter(|f| FIELDS[*f].1 && !present.contains(f))
            .map(|f| FIELDS[f].0.to_string())
            .collect();
        if !missing.is_empty() {
            return Err(ImportError::MissingColumns {
                missing,
                found: columns,
            });
        }
    }
    let mut imported = convert(raw.into_iter().map(Record::from_raw).collect());
    imported.skipped.splice(0..0, lines);
    Ok(imported)
}

fn convert(records: Vec<Record>) -> Imported {
    let mut rules: Vec<RuleDef> = Vec::new();
    let mut states = Vec::new();
    let mut skipped = Vec::new();
    for r in &records {
        let name = r.get(NAME);
        let skip = |reason: String| Skipped {
            record: describe(&r.position, name),
            reason,
        };
        if name.is_empty() {
            skipped.push(skip("the rule has no name".to_string()));
            continue;
        }
        match convert_one(r) {
            Ok(None) => skipped.push(skip("inactive".to_string())),
            Err(reason) => skipped.push(skip(reason)),
            Ok(Some((on, condition, action, mentioned))) => {
                // Names must be unique in a rules file; the position keeps both rules.
                let name = if rules.iter().any(|d| d.name == name) {
                    format!("{name} ({})", r.position)
                } else {
                    name.to_string()
                };
                for s in mentioned.iter().filter(|s| !is_system_state(s)) {
                    push_unique(&mut states, s);
                }
                rules.push(rule_def(&name, on, condition, action));
            }
        }
    }
    let mut file = rules_file("amazon-connect", states);
    file.rules = rules;
    Imported {
        rules: file,
        skipped,
        notes: Vec::new(),
    }
}

/// A converted record: trigger, condition, action and the telephony states it names.
type Converted = (EventKind, Option<Condition>, ActionDef, Vec<String>);

/// `Ok(None)` for an inactive record; `Err` with the reason it cannot be converted.
fn convert_one(r: &Record) -> Result<Option<Converted>, String> {
    if let Some(f) = r.fields.iter().position(Option::is_none) {
        let label = FIELDS[f].0;
        return Err(format!("{label} holds a list or an object, not a value"));
    }
    let active = r.get(ACTIVE);
    match key(active).as_str() {
        "" | "true" | "1" | "yes" | "y" => {}
        "false" | "0" | "no" | "n" => return Ok(None),
        _ => return Err(format!("Active is \"{active}\", neither true nor false")),
    }
    let source = r.get(SOURCE);
    let on = trigger(source).ok_or_else(|| format!("unknown source \"{source}\"; {SOURCES}"))?;
    let mut mentioned = Vec::new();
    let condition = condition(r, on, &mut mentioned)?;
    let value = r.get(VALUE);
    if value.is_empty() {
        return Err("the rule has no Value to set".to_string());
    }
    let destination = r.get(DESTINATION);
    let action = match key(destination).as_str() {
        "omni state" => ActionDef::SetOmniStatus(value.to_string()),
        "tel state" if is_system_state(value) => {
            let why = "is an Amazon Connect system state: it can be read but never set";
            return Err(format!("\"{value}\" {why}"));
        }
        "tel state" => {
            mentioned.push(value.to_string());
            ActionDef::SetTelephonyState(value.to_string())
        }
        _ => {
            let known = "the destinations are Salesforce Agent State and Connect Agent State";
            return Err(format!("unknown destination \"{destination}\"; {known}"));
        }
    };
    Ok(Some((on, condition, action, mentioned)))
}

fn trigger(source: &str) -> Option<EventKind> {
    EventKind::from_name(source.trim()).or(match key(source).as_str() {
        "tel state change" => Some(EventKind::TelephonyStateChanged),
        "omni state change" => Some(EventKind::StatusChanged),
        "omni logout" => Some(EventKind::Logout),
        "omni work accepted" => Some(EventKind::WorkAccepted),
        "omni workload change" => Some(EventKind::WorkloadChanged),
        _ => None,
    })
}

enum Side {
    Operand(Operand),
    Static(String),
}

fn side(r: &Record, operand: usize, value: usize) -> Result<Option<Side>, String> {
    let label = r.get(operand);
    if label.is_empty() {
        return Ok(None);
    }
    if let Ok(o) = serde_json::from_value::<Operand>(Value::String(label.to_string())) {
        return Ok(Some(Side::Operand(o)));
    }
    let o = match key(label).as_str() {
        "static value" | "static" => return Ok(Some(Side::Static(r.get(value).to_string()))),
        "tel new state" => Operand::TelephonyNewState,
        "tel old state" | "tel previous state" => Operand::TelephonyOldState,
        "omni new state" => Operand::OmniNewStatus,
        "omni old state" | "omni previous state" => Operand::OmniOldStatus,
        "omni service channel" | "service channel" => Operand::OmniChannel,
        "omni previous workload" | "previous workload" => Operand::PreviousWorkload,
        "omni previous workload pct" | "previous workload pct" => Operand::PreviousWorkloadPct,
        "omni new workload" | "new workload" => Operand::NewWorkload,
        "omni new workload pct" | "new workload pct" => Operand::NewWorkloadPct,
        "omni configured capacity" | "configured capacity" => Operand::ConfiguredCapacity,
        _ => {
            let field = FIELDS[operand].0;
            return Err(format!(
                "{field} \"{label}\" is not an operand omnisync knows"
            ));
        }
    };
    Ok(Some(Side::Operand(o)))
}

fn comparator(text: &str) -> Option<Comparator> {
    Some(match text.trim() {
        "=" | "==" => Comparator::Eq,
        "!=" | "<>" => Comparator::Ne,
        ">" => Comparator::Gt,
        ">=" => Comparator::Ge,
        "<" => Comparator::Lt,
        "<=" => Comparator::Le,
        _ => match key(text).as_str() {
            "equal" | "eq" => Comparator::Eq,
            "not equal" | "ne" => Comparator::Ne,
            "greater" | "gt" => Comparator::Gt,
            "greater or equal" | "ge" => Comparator::Ge,
            "less" | "lt" => Comparator::Lt,
            "less or equal" | "le" => Comparator::Le,
            _ => return None,
        },
    })
}

/// The comparison seen from the other side: `80 < x` is `x > 80`.
fn mirror(op: Comparator) -> Comparator {
    match op {
        Comparator::Gt => Comparator::Lt,
        Comparator::Lt => Comparator::Gt,
        Comparator::Ge => Comparator::Le,
        Comparator::Le => Comparator::Ge,
        same => same,
    }
}

fn condition(
    r: &Record,
    on: EventKind,
    mentioned: &mut Vec<String>,
) -> Result<Option<Condition>, String> {
    let a = side(r, OPERAND_A, OPERAND_A_VALUE)?;
    let b = side(r, OPERAND_B, OPERAND_B_VALUE)?;
    let op_text = r.get(COMPARATOR);
    let op = comparator(op_text);
    let (left, op, right) = match (a, op, b) {
        (None, None, None) if op_text.is_empty() => return Ok(None),
        (_, None, _) if !op_text.is_empty() => {
            return Err(format!("unknown comparator \"{op_text}\""))
        }
        (Some(Side::Static(_)), Some(_), Some(Side::Static(_))) => return Err(BOTH_STATIC.into()),
        (Some(Side::Static(v)), Some(op), Some(Side::Operand(o))) => {
            (o, mirror(op), Side::Static(v))
        }
        (Some(Side::Operand(o)), Some(op), Some(b)) => (o, op, b),
        _ => return Err(INCOMPLETE.into()),
    };
    let l = left.name();
    let right_operand = match &right {
        Side::Operand(o) => Some(*o),
        Side::Static(_) => None,
    };
    if let Some(o) = [Some(left), right_operand]
        .into_iter()
        .flatten()
        .find(|o| !o.available_on(on))
    {
        let (o, on) = (o.name(), on.name());
        return Err(format!(
            "{o} only has a value on work item events, not on {on}"
        ));
    }
    let text = left.value_type() == OperandType::Text;
    if text && op.is_ordering() {
        return Err(format!("\"{op_text}\" orders numbers, but {l} is text"));
    }
    let right = match right {
        Side::Operand(o) if o.value_type() != left.value_type() => {
            let o = o.name();
            return Err(format!("{l} and {o} hold different kinds of value"));
        }
        Side::Operand(o) => Right::Operand(o),
        Side::Static(v) if v.is_empty() => return Err("the Static Value is empty".to_string()),
        Side::Static(v) if text => {
            if l.starts_with("telephony.") {
                mentioned.push(v.clone());
            }
            Right::Value(Value::String(v))
        }
        Side::Static(v) => Right::Value(number(&v).ok_or(format!(
            "the Static Value \"{v}\" is not a number, but {l} is"
        ))?),
    };
    Ok(Some(Condition::Compare(Comparison { left, op, right })))
}

const SOURCES: &str = "the CTI Adapter sources are Connect Agent State Change, Salesforce Agent State Change, Salesforce Agent Logout, Salesforce Work Accepted and Salesforce Workload Changed";
const BOTH_STATIC: &str =
    "both operands are static values, so the rule would not depend on the event";
const INCOMPLETE: &str =
    "the condition is incomplete: it needs Operand A, a Comparator and Operand B";

/// A whole number stays whole in the output (`100`, not `100.0`); "80%" is 80.
fn number(text: &str) -> Option<Value> {
    let n: f64 = text.trim_end_matches('%').trim().parse().ok()?;
    if !n.is_finite() {
        return None;
    }
    if n.fract() == 0.0 && n.abs() < 9e15 {
        Some(Value::from(n as i64))
    } else {
        serde_json::Number::from_f64(n).map(Value::Number)
    }
}
