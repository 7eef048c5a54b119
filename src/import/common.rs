//! What both converters share: the result ([`Imported`], its notes and skipped
//! records, [`ImportError`]), reading records from CSV or JSON, and building the rules
//! file.

use crate::event::EventKind;
use crate::rules::file::BUILTIN_SYSTEM_STATES;
use crate::rules::file::{ActionDef, Condition, MappingDef, RuleDef};
use crate::rules::RulesFile;
use serde_json::{json, Value};

/// A converted rules file and the records that could not be converted.
#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    pub rules: RulesFile,
    pub skipped: Vec<Skipped>,
    /// What was changed on the way in, row by row (labels made DeveloperNames, scopes).
    pub notes: Vec<Note>,
}

/// One change made to an input record while converting it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// Where it was, as in [`Skipped::record`].
    pub record: String,
    pub message: String,
    /// The result may not be what the org has: check it before uploading.
    pub warning: bool,
}

/// One input record left out of the result, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// Where it was: `row 4 "Lunch sync"` (CSV line), `record 2 "Lunch sync"` (JSON,
    /// counted from 1), `subscriberStateMapping record 3 "Lunch -> Lunch"`.
    pub record: String,
    /// A plain sentence.
    pub reason: String,
}

/// Input that cannot be read at all; nothing is converted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("the input is empty")]
    Empty,
    #[error("CSV line {line}: {message}")]
    Csv { line: u64, message: String },
    #[error("JSON line {line}, column {column}: {message}")]
    Json {
        line: usize,
        column: usize,
        message: String,
    },
    /// Readable JSON of the wrong shape, e.g. a number where a list of rows belongs.
    #[error("{0}")]
    Shape(String),
    #[error("no column for {}; {}", .missing.join(", "), found_columns(.found))]
    MissingColumns {
        missing: Vec<String>,
        found: Vec<String>,
    },
}

/// The columns a file has, or that it has none: never an empty list.
fn found_columns(found: &[String]) -> String {
    match found.is_empty() {
        true => "the records have no fields at all".to_string(),
        false => format!("the columns found are: {}", found.join(", ")),
    }
}

impl Imported {
    /// The Omni status DeveloperNames the file sets: each needs an entry in
    /// `statuses` with its real Id before the file is accepted. Names only compared in
    /// conditions are not listed: a condition on an unknown name is legal.
    pub fn statuses_needed(&self) -> Vec<String> {
        let mut names = Vec::new();
        for m in &self.rules.mappings.telephony_to_omni {
            push_unique(&mut names, &m.omni);
        }
        for r in &self.rules.rules {
            for a in &r.then {
                if let ActionDef::SetOmniStatus(name) = a {
                    push_unique(&mut names, name);
                }
            }
        }
        names
    }
}

pub(crate) fn push_unique(list: &mut Vec<String>, name: &str) {
    if !list.iter().any(|n| n == name) {
        list.push(name.to_string());
    }
}

pub(crate) fn is_system_state(name: &str) -> bool {
    BUILTIN_SYSTEM_STATES.contains(&name)
}

/// `row 4 "Lunch sync"`, or just `row 4` when the record has no name.
pub(crate) fn describe(position: &str, name: &str) -> String {
    if name.is_empty() {
        position.to_string()
    } else {
        format!("{position} \"{name}\"")
    }
}

/// A vocabulary key: the words that matter, so that the documented labels ("Connect
/// Agent State Change"), older wordings ("Amazon Connect Agent State Change",
/// "Omni-Channel Status Change") and picklist API values ("Connect_Agent_State_Change")
/// all meet. Each product side gets one word (`tel`, `omni`).
pub(crate) fn key(text: &str) -> String {
    let lower = text.to_lowercase();
    let mut joined = lower.replace('%', " pct ").replace("log out", "logout");
    for omni in ["omni-channel", "omni channel", "omni_channel"] {
        joined = joined.replace(omni, "omnichannel");
    }
    let words: Vec<&str> = joined
        .split(|c: char| !c.is_alphanumeric())
        .filter_map(|w| match w {
            "salesforce" | "omnichannel" | "omni" | "sf" => Some("omni"),
            "connect" | "amazonconnect" | "telephony" | "ccp" => Some("tel"),
            "status" => Some("state"),
            "changed" => Some("change"),
            "percent" | "percentage" => Some("pct"),
            "equals" => Some("equal"),
            "accept" => Some("accepted"),
            "" | "amazon" | "agent" | "to" | "than" | "is" | "the" | "presence" => None,
            w => Some(w),
        })
        .collect();
    words.join(" ")
}

/// JSON text parsed with the position of a syntax error kept for the message.
pub(crate) fn parse_json(text: &str) -> Result<Value, ImportError> {
    serde_json::from_str(text).map_err(|e| ImportError::Json {
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })
}

/// A JSON scalar as text; `None` for a list or an object, which no field holds.
pub(crate) fn cell_text(value: &Value) -> Option<String> {
    match value {
        Value::Null => Some(String::new()),
        Value::String(s) => Some(s.trim().to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Array(_) | Value::Object(_) => None,
    }
}

/// A record as read: where it was (`row 4`, `record 2`) and its cells by column name.
/// A cell is `None` when the JSON holds a list or an object there.
pub(crate) struct RawRecord {
    pub position: String,
    pub cells: Vec<(String, Option<String>)>,
}

/// Column names, records, and the lines that are not records.
pub(crate) type Read = (Vec<String>, Vec<RawRecord>, Vec<Skipped>);

/// CSV with a header row, or JSON (a list of objects, or Salesforce's
/// `{"records": [...]}`): the first character decides. Returns the column names
/// (for JSON, every key any record has: Salesforce leaves out fields not queried),
/// the records, and the lines that are not records (a report export's title above the
/// header, its "Confidential" and copyright lines below the rows).
pub(crate) fn read_records(text: &str) -> Result<Read, ImportError> {
    let text = text.trim_start_matches('\u{feff}');
    match text.trim_start().chars().next() {
        None => Err(ImportError::Empty),
        Some('[' | '{') => {
            read_json_records(text).map(|(columns, records)| (columns, records, Vec::new()))
        }
        Some(_) => read_csv_records(text),
    }
}

fn read_csv_records(text: &str) -> Result<Read, ImportError> {
    let line_of = |p: Option<&csv::Position>| p.map_or(0, csv::Position::line);
    let csv_error = |e: csv::Error| ImportError::Csv {
        line: line_of(e.position()),
        message: e.to_string(),
    };
    // Flexible: a report export's title and footer lines have one field, not the
    // header's count. Blank lines are skipped by the reader itself.
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    // Line numbers (from 1) of blank lines: a report's footer follows one.
    let blank: Vec<u64> = (1..)
        .zip(text.lines())
        .filter(|(_, l)| l.trim().is_empty())
        .map(|(n, _)| n)
        .collect();
    let mut columns: Option<Vec<String>> = None;
    let mut records = Vec::new();
    let mut skipped = Vec::new();
    let mut last_row = 0;
    for row in reader.records() {
        let row = row.map_err(csv_error)?;
        // The reader counts a record from the blank lines before it.
        let mut line = line_of(row.position());
        while blank.contains(&line) {
            line += 1;
        }
        let filled: Vec<&str> = row.iter().filter(|c| !c.is_empty()).collect();
        let width = columns.as_ref().map(Vec::len);
        // A line that is not a row, where the header or a row of another width would
        // be: one text at most (a title, "Confidential"), or anything after a blank
        // line below the rows (a copyright line with a comma in it). Any other short
        // row is a broken row, refused.
        let after_blank = width.is_some() && blank.iter().any(|b| (last_row..line).contains(b));
        if width != Some(row.len()) && (filled.len() <= 1 || after_blank) {
            let text = filled.join(",");
            skipped.push(Skipped {
                record: format!("line {line}"),
                reason: format!("not a record (a report's title or footer line): \"{text}\""),
            });
            continue;
        }
        last_row = line;
        let Some(columns) = &columns else {
            columns = Some(row.iter().map(str::to_string).collect());
            continue;
        };
        if row.len() != columns.len() {
            return Err(ImportError::Csv {
                line,
                message: format!(
                    "this row has {} fields but the header has {}",
                    row.len(),
                    columns.len()
                ),
            });
        }
        records.push(RawRecord {
            position: format!("row {line}"),
            cells: columns
                .iter()
                .cloned()
                .zip(row.iter().map(|c| Some(c.to_string())))
                .collect(),
        });
    }
    match columns {
        Some(columns) => Ok((columns, records, skipped)),
        None => Err(ImportError::Shape(
            "no header row was found: no line has more than one field".to_string(),
        )),
    }
}

fn read_json_records(text: &str) -> Result<(Vec<String>, Vec<RawRecord>), ImportError> {
    let value = parse_json(text)?;
    let list = match &value {
        Value::Array(list) => list,
        Value::Object(obj) => match obj.get("records") {
            Some(Value::Array(list)) => list,
            _ => {
                return Err(ImportError::Shape(
                    "a JSON object must hold the records as a \"records\" list".to_string(),
                ))
            }
        },
        _ => return Err(ImportError::Shape("expected a list of records".to_string())),
    };
    let mut columns = Vec::new();
    let mut records = Vec::new();
    for (i, item) in list.iter().enumerate() {
        let position = format!("record {}", i + 1);
        let obj = item
            .as_object()
            .ok_or_else(|| ImportError::Shape(format!("{position} is not an object of fields")))?;
        for k in obj.keys() {
            push_unique(&mut columns, k);
        }
        let cells = obj.iter().map(|(k, v)| (k.clone(), cell_text(v))).collect();
        records.push(RawRecord { position, cells });
    }
    Ok((columns, records))
}

/// Built through serde so that optional fields added to the rule types later (scope,
/// master...) take their defaults without the converters having to name them.
pub(crate) fn rule_def(
    name: &str,
    on: EventKind,
    condition: Option<Condition>,
    action: ActionDef,
) -> RuleDef {
    let mut rule = json!({"name": name, "on": on, "then": [action]});
    if let Some(c) = condition {
        rule["if"] = json!(c);
    }
    serde_json::from_value(rule).expect("a rule built from typed parts reads back")
}

pub(crate) fn mapping_def(telephony: &str, omni: &str) -> MappingDef {
    serde_json::from_value(json!({"telephony": telephony, "omni": omni}))
        .expect("a mapping built from two strings reads back")
}

/// The skeleton of every converted file: version 1, no statuses (see the module doc).
pub(crate) fn rules_file(system: &str, states: Vec<String>) -> RulesFile {
    serde_json::from_value(json!({
        "version": 1,
        "statuses": [],
        "telephony": {"system": system, "states": states},
    }))
    .expect("an empty rules file reads back")
}
