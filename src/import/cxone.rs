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
//! set Unavailable-with-code under the code's name.
//!
//! CXone's Salesforce State drop-down shows status labels ("Available for Chats");
//! rules name statuses by DeveloperName, which Salesforce generates from the label with
//! every run of spaces and punctuation made one underscore ("Available_for_Chats").
//! Each conversion is noted with its row, as a warning when it may not be the org's
//! name (punctuation dropped, or two labels giving one name).
//!
//! State names and system states are those the CXone phone adapter (www/phones/cxone.js)
//! reports: CXone's own spelling ("Available", "InboundContact"), the code alone for
//! Unavailable with a code, "AfterCallWork" for after-call work (a row marked `isAcw`, or
//! the state ACW). `telephony.systemStates` is CXone's list ([`CXONE_SYSTEM_STATES`]:
//! the contact states and after-call work), which replaces Amazon Connect's.
//!
//! A row scoped to teams (a rule's Teams tab) gets `scope.teams`: the team names as
//! public-group DeveloperNames, which the host page supplies for the agent. A row
//! scoped to users gets `scope.userIds`: Salesforce User Ids as they are, CXone user
//! names through the user map ([`CxoneUserMap`]); a user the map does not name (or any
//! CXone user name without a map) skips the row with that reason.

use super::common::{
    cell_text, describe, key, mapping_def, parse_json, push_unique, rules_file, ImportError,
    Imported, Note, Skipped,
};
use super::cxone_users::{is_user_id, CxoneUserMap};
use crate::rules::file::Scope;
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

/// CXone's contact states (as the adapter reports them) and after-call work: read,
/// never set.
pub const CXONE_SYSTEM_STATES: [&str; 7] = [
    "InboundContact",
    "OutboundContact",
    "InboundConsult",
    "OutboundConsult",
    "Dialer",
    "DialerPending",
    "AfterCallWork",
];

fn is_system_state(name: &str) -> bool {
    CXONE_SYSTEM_STATES.contains(&name)
}

/// CXone's spelling of a state named in a table (any case, spaces or not), as the
/// adapter reports it; other names (unavailable codes) stay as they are.
fn cxone_state(name: &str) -> String {
    let known = ["Available", "Unavailable", "LoggedOut", "LoggedIn"];
    let wanted = compact(name);
    if matches!(wanted.as_str(), "acw" | "aftercallwork") {
        return "AfterCallWork".to_string();
    }
    known
        .iter()
        .chain(CXONE_SYSTEM_STATES.iter())
        .find(|k| compact(k) == wanted)
        .map_or_else(|| name.to_string(), |k| k.to_string())
}

/// Reads CXone publisher and subscriber state mapping tables and converts them.
/// Rows scoped by CXone user name are skipped: see [`from_cxone_with_users`].
pub fn from_cxone(text: &str) -> Result<Imported, ImportError> {
    from_cxone_with_users(text, None)
}

/// [`from_cxone`], with CXone user names turned into Salesforce User Ids by `users`.
pub fn from_cxone_with_users(
    text: &str,
    users: Option<&CxoneUserMap>,
) -> Result<Imported, ImportError> {
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
    // Telephony names that mean the agent is away: unavailable codes, Unavailable, LoggedOut.
    let mut away: Vec<String> = Vec::new();
    let mut skipped = Vec::new();
    let mut notes = Vec::new();
    // DeveloperName -> the labels that gave it, to warn when two labels meet.
    let mut names: Vec<(String, Vec<String>)> = Vec::new();
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
                match mapping(table, row, users) {
                    Ok((telephony, label, scope, is_away)) => {
                        if is_away {
                            push_unique(&mut away, &telephony);
                        }
                        if !is_system_state(&telephony) {
                            push_unique(&mut states, &telephony);
                        }
                        let name = match table {
                            Table::Publisher => format!("{telephony} -> {label}"),
                            Table::Subscriber => format!("{label} -> {telephony}"),
                        };
                        let record = describe(&position, &name);
                        let (omni, warning) = developer_name(&label);
                        match names.iter_mut().find(|(n, _)| *n == omni) {
                            Some((_, labels)) => push_unique(labels, &label),
                            None => names.push((omni.clone(), vec![label.clone()])),
                        }
                        if omni != label {
                            let message = match &warning {
                                Some(why) => format!("status label \"{label}\" -> DeveloperName \"{omni}\" ({why}: check it in Setup)"),
                                None => format!("status label \"{label}\" -> DeveloperName \"{omni}\""),
                            };
                            notes.push(Note {
                                record: record.clone(),
                                message,
                                warning: warning.is_some(),
                            });
                        }
                        let mut m = mapping_def(&telephony, &omni);
                        if let Some(scope) = scope {
                            let mut said = Vec::new();
                            if !scope.teams.is_empty() {
                                said.push(format!(
                                    "teams {} (public-group DeveloperNames the host page supplies)",
                                    scope.teams.join(", ")
                                ));
                            }
                            if !scope.user_ids.is_empty() {
                                said.push(format!("users {}", scope.user_ids.join(", ")));
                            }
                            notes.push(Note {
                                record,
                                message: format!("scoped to {}", said.join(" and ")),
                                warning: false,
                            });
                            m.scope = Some(scope);
                        }
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
    for (name, labels) in names.iter().filter(|(_, labels)| labels.len() > 1) {
        notes.push(Note {
            record: format!("{} rows", labels.len()),
            message: format!(
                "the labels {} all give the DeveloperName \"{name}\": Salesforce keeps names unique, so one of them is named differently in the org",
                labels.iter().map(|l| format!("\"{l}\"")).collect::<Vec<_>>().join(", ")
            ),
            warning: true,
        });
    }
    file.telephony.states = states;
    file.telephony.system_states = Some(CXONE_SYSTEM_STATES.map(str::to_string).to_vec());
    // The statuses the file sets, by DeveloperName and without Ids (none is invented):
    // check and simulate take the Ids from the org's catalog (--catalog), so the file
    // runs as imported. A status set from a state the agent takes calls in is online;
    // one set only from away states (a code, Unavailable, LoggedOut) or system states
    // is away.
    let mut statuses: Vec<(String, bool)> = Vec::new();
    for m in &file.mappings.telephony_to_omni {
        let online = !away.contains(&m.telephony) && !is_system_state(&m.telephony);
        match statuses.iter_mut().find(|(n, _)| *n == m.omni) {
            Some((_, o)) => *o |= online,
            None => statuses.push((m.omni.clone(), online)),
        }
    }
    file.statuses = statuses
        .into_iter()
        .filter_map(|(name, online)| {
            serde_json::from_value(serde_json::json!({"developerName": name, "online": online}))
                .ok()
        })
        .collect();
    Ok(Imported {
        rules: file,
        skipped,
        notes,
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

/// The DeveloperName Salesforce generates from a status label, and why it may differ
/// from the org's. A name that already is a DeveloperName stays as it is.
pub(crate) fn developer_name(label: &str) -> (String, Option<String>) {
    let mut name = String::new();
    let mut dropped = Vec::new();
    for c in label.trim().chars() {
        if c.is_ascii_alphanumeric() {
            name.push(c);
        } else {
            if !c.is_whitespace() && c != '_' {
                push_unique(&mut dropped, &c.to_string());
            }
            if !name.is_empty() && !name.ends_with('_') {
                name.push('_');
            }
        }
    }
    let mut name = name.trim_end_matches('_').to_string();
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, 'X');
    }
    let warning = (!dropped.is_empty()).then(|| {
        format!(
            "the label's {} cannot be part of a DeveloperName",
            dropped
                .iter()
                .map(|c| format!("\"{c}\""))
                .collect::<Vec<_>>()
                .join(", ")
        )
    });
    (name, warning)
}

/// The names in a scope field: a list, or one comma-separated string.
fn names_in(v: &Value) -> Vec<String> {
    let all: Vec<String> = match v {
        Value::Array(items) => items.iter().filter_map(cell_text).collect(),
        Value::String(s) => s.split(',').map(str::to_string).collect(),
        other => cell_text(other).into_iter().collect(),
    };
    all.iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// The row's scope from its Teams and Users fields, or why it cannot be imported.
fn scope_of(
    row: &Map<String, Value>,
    users: Option<&CxoneUserMap>,
) -> Result<Option<Scope>, String> {
    let mut scope = Scope::default();
    for (k, v) in row {
        match compact(k).as_str() {
            "teams" | "team" | "teamids" | "teamnames" => {
                for team in names_in(v) {
                    push_unique(&mut scope.teams, &developer_name(&team).0);
                }
            }
            "users" | "user" | "userids" => {
                for user in names_in(v) {
                    let id = if is_user_id(&user) {
                        user.clone()
                    } else {
                        match users.map(|m| m.user_id(&user)) {
                            Some(Some(id)) => id.to_string(),
                            Some(None) => return Err(format!(
                                "the row is scoped to the CXone user \"{user}\", whom the user map does not name: add a line \"{user},<Salesforce User Id>\" to it"
                            )),
                            None => return Err(format!(
                                "the row is scoped to the user \"{user}\", which is not a Salesforce User Id (005...): pass a user map (--users FILE, CSV: CXone user name, Salesforce User Id) or scope the row by team"
                            )),
                        }
                    };
                    push_unique(&mut scope.user_ids, &id);
                }
            }
            _ => {}
        }
    }
    Ok((!scope.teams.is_empty() || !scope.user_ids.is_empty()).then_some(scope))
}

type Row = (String, String, Option<Scope>, bool);

/// A row's `(telephony, omni label, scope, away)`, or a name for the row and why it was
/// skipped.
fn mapping(
    table: Table,
    row: &Map<String, Value>,
    users: Option<&CxoneUserMap>,
) -> Result<Row, (String, String)> {
    let read = |names: &[&str]| field(row, names).map_err(|e| (String::new(), e));
    let state = read(&["cxonestate", "state", "agentstate", "acdstate"])?;
    let code = read(&[
        "unavailablecode",
        "reason",
        "unavailablereason",
        "reasoncode",
    ])?;
    let omni = read(&[
        "omnistatus",
        "presencestatus",
        "salesforcestatus",
        "salesforcestate",
    ])?;
    let acw = row.iter().any(|(k, v)| {
        matches!(compact(k).as_str(), "isacw" | "acw")
            && (v.as_bool() == Some(true) || cell_text(v).is_some_and(|t| key(&t) == "true"))
    });
    let telephony = if acw {
        "AfterCallWork".to_string()
    } else if code.is_empty() {
        cxone_state(&state)
    } else {
        code.clone()
    };
    let name = match table {
        Table::Publisher => format!("{telephony} -> {omni}"),
        Table::Subscriber => format!("{omni} -> {telephony}"),
    };
    let fail = |reason: String| Err((name.clone(), reason));
    let scope = match scope_of(row, users) {
        Ok(scope) => scope,
        Err(why) => return fail(why),
    };
    if !acw && !code.is_empty() && !state.is_empty() && key(&state) != "unavailable" {
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
    let away = !code.is_empty() || matches!(compact(&state).as_str(), "unavailable" | "loggedout");
    Ok((telephony, omni, scope, away))
}
