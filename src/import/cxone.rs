//! NICE CXone bi-directional presence sync: a publisher table (CXone agent state ->
//! Omni status) and a subscriber table (Omni status -> CXone state), as JSON:
//!
//! ```json
//! {"publisherStateMapping": [{"cxoneState": "Available", "omniStatus": "Available"}],
//!  "subscriberStateMapping": [{"omniStatus": "Lunch", "state": "Unavailable", "unavailableCode": "Lunch"}]}
//! ```
//!
//! CXone has one "Unavailable" state refined by unavailable codes; the telephony state
//! name omnisync uses is the code ("Lunch"), so the telephony adapter must report and
//! set Unavailable-with-code under the code's name. Rows scoped to teams or users are
//! skipped: CXone team and user Ids are not the Salesforce Ids omnisync scopes by.

use super::{
    cell_text, describe, is_system_state, key, mapping_def, parse_json, push_unique, rules_file,
    ImportError, Imported, Skipped,
};
use serde_json::{Map, Value};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Table {
    Publisher,
    Subscriber,
}

impl Table {
    fn name(self) -> &'static str {
        match self {
            Table::Publisher => "publisherStateMapping",
            Table::Subscriber => "subscriberStateMapping",
        }
    }

    /// Keys compared without case or punctuation, singular or plural.
    fn from_key(k: &str) -> Option<Table> {
        match compact(k).trim_end_matches('s') {
            "publisherstatemapping" | "publishermapping" | "publisher" => Some(Table::Publisher),
            "subscriberstatemapping" | "subscribermapping" | "subscriber" => {
                Some(Table::Subscriber)
            }
            _ => None,
        }
    }
}

/// Reads CXone publisher and subscriber state mapping tables and converts them.
pub fn from_cxone(text: &str) -> Result<Imported, ImportError> {
    let text = text.trim_start_matches('\u{feff}');
    if text.trim().is_empty() {
        return Err(ImportError::Empty);
    }
    let value = parse_json(text)?;
    let shape = "a CXone export is a JSON object with publisherStateMapping and subscriberStateMapping lists";
    let obj = value
        .as_object()
        .ok_or_else(|| ImportError::Shape(shape.to_string()))?;
    let tables: Vec<(Table, &Value)> = obj
        .iter()
        .filter_map(|(k, v)| Table::from_key(k).map(|t| (t, v)))
        .collect();
    if tables.is_empty() {
        return Err(ImportError::Shape(shape.to_string()));
    }
    let mut file = rules_file("nice-cxone", Vec::new());
    let mut states = Vec::new();
    let mut skipped = Vec::new();
    // Publisher rows first, whatever the key order, so the output order is stable.
    for table in [Table::Publisher, Table::Subscriber] {
        for (_, rows) in tables.iter().filter(|(t, _)| *t == table) {
            let rows: &[Value] = match rows {
                Value::Null => &[],
                Value::Array(rows) => rows,
                _ => {
                    return Err(ImportError::Shape(format!(
                        "{} must be a list of rows",
                        table.name()
                    )))
                }
            };
            for (i, row) in rows.iter().enumerate() {
                let position = format!("{} record {}", table.name(), i + 1);
                let row = row.as_object().ok_or_else(|| {
                    ImportError::Shape(format!("{position} is not an object of fields"))
                })?;
                match mapping(table, row) {
                    Ok((telephony, omni)) => {
                        if !is_system_state(&telephony) {
                            push_unique(&mut states, &telephony);
                        }
                        let m = mapping_def(&telephony, &omni);
                        match table {
                            Table::Publisher => file.mappings.telephony_to_omni.push(m),
                            Table::Subscriber => file.mappings.omni_to_telephony.push(m),
                        }
                    }
                    Err((name, reason)) => skipped.push(Skipped {
                        record: describe(&position, &name),
                        reason,
                    }),
                }
            }
        }
    }
    file.telephony.states = states;
    Ok(Imported {
        rules: file,
        skipped,
    })
}

/// A key without case or punctuation: `teamIds`, `team_ids` and `TeamIds` meet.
fn compact(k: &str) -> String {
    k.to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect()
}

/// The first non-empty field among `names` (compared without case or punctuation).
fn field(row: &Map<String, Value>, names: &[&str]) -> Result<String, String> {
    for (k, v) in row {
        if names.contains(&compact(k).as_str()) {
            match cell_text(v) {
                Some(text) if text.is_empty() => continue,
                Some(text) => return Ok(text),
                None => return Err(format!("{k} holds a list or an object, not a name")),
            }
        }
    }
    Ok(String::new())
}

/// A row's `(telephony, omni)` pair, or a name for the row and why it was skipped.
fn mapping(table: Table, row: &Map<String, Value>) -> Result<(String, String), (String, String)> {
    let read = |names: &[&str]| field(row, names).map_err(|e| (String::new(), e));
    let state = read(&["cxonestate", "state", "agentstate"])?;
    let code = read(&[
        "unavailablecode",
        "reason",
        "unavailablereason",
        "reasoncode",
    ])?;
    let omni = read(&["omnistatus", "presencestatus", "salesforcestatus"])?;
    let telephony = if code.is_empty() {
        state.clone()
    } else {
        code.clone()
    };
    let name = match table {
        Table::Publisher => format!("{telephony} -> {omni}"),
        Table::Subscriber => format!("{omni} -> {telephony}"),
    };
    let fail = |reason: String| Err((name.clone(), reason));
    let scoped = row.iter().any(|(k, v)| {
        let scope_key =
            ["teams", "team", "users", "user", "teamids", "userids"].contains(&compact(k).as_str());
        let empty = match v {
            Value::Null => true,
            Value::Array(a) => a.is_empty(),
            Value::String(s) => s.trim().is_empty(),
            _ => false,
        };
        scope_key && !empty
    });
    if scoped {
        return fail("scoped mappings are not supported by this converter yet".to_string());
    }
    if !code.is_empty() && !state.is_empty() && key(&state) != "unavailable" {
        return fail(format!(
            "the unavailable code \"{code}\" only goes with the Unavailable state, not \"{state}\""
        ));
    }
    if telephony.is_empty() {
        return fail("the row has no CXone state".to_string());
    }
    if omni.is_empty() {
        return fail("the row has no Omni-Channel status".to_string());
    }
    if table == Table::Subscriber && is_system_state(&telephony) {
        return fail(format!(
            "\"{telephony}\" is a system state: it can be read but never set"
        ));
    }
    Ok((telephony, omni))
}
