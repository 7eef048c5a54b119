//! Amazon Connect agent event stream records, as Kinesis delivers them (one JSON
//! object per line) or Firehose writes them (objects one after the other, with no
//! delimiter). Objects are cut out of the byte stream by a small scanner (braces
//! outside strings), so a damaged object costs that object only, and its line is known.
//!
//! Each record becomes the phone state the agent was in (docs/replay.md, "Connect
//! records"): with a contact, the system state its `State` stands for; without one,
//! the status the agent chose (`CurrentAgentSnapshot.AgentStatus.Name`); `Offline`
//! after LOGOUT. HEART_BEAT records repeat the state and are skipped.

use super::{read_error, Reading};
use crate::replay::record::Kind;
use crate::replay::time::parse_ms;
use serde::Deserialize;
use std::borrow::Cow;
use std::io::BufRead;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Record<'a> {
    #[serde(borrow)]
    event_type: Option<Cow<'a, str>>,
    #[serde(borrow)]
    event_timestamp: Option<Cow<'a, str>>,
    #[serde(rename = "AgentARN", borrow)]
    agent_arn: Option<Cow<'a, str>>,
    #[serde(borrow)]
    current_agent_snapshot: Option<Snapshot<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Snapshot<'a> {
    #[serde(borrow)]
    agent_status: Option<Named<'a>>,
    #[serde(borrow)]
    configuration: Option<Configuration<'a>>,
    #[serde(borrow, default)]
    contacts: Vec<Contact<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Named<'a> {
    #[serde(borrow)]
    name: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Configuration<'a> {
    #[serde(borrow)]
    username: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Contact<'a> {
    #[serde(borrow)]
    state: Option<Cow<'a, str>>,
    #[serde(borrow)]
    initiation_method: Option<Cow<'a, str>>,
}

/// The system state a contact's `State` puts the agent in, and its precedence when
/// the agent has several contacts (the highest wins).
pub(crate) fn contact_state(state: &str, outbound: bool) -> Option<(&'static str, u8)> {
    Some(match state {
        "CONNECTED" | "CONNECTED_ONHOLD" => ("Busy", 6),
        "CONNECTING" | "INCOMING" | "PENDING" if outbound => ("CallingCustomer", 5),
        "CONNECTING" | "INCOMING" | "PENDING" => ("PendingBusy", 4),
        "ENDED" => ("AfterCallWork", 3),
        "MISSED" => ("MissedCallAgent", 2),
        "ERROR" => ("FailedConnectAgent", 1),
        // REJECTED and anything newer: the contact does not hold the agent.
        _ => return None,
    })
}

/// Reads one file of records; false when it could not be read to its end.
pub(crate) fn read(
    mut input: Box<dyn BufRead + Send>,
    gzip: bool,
    file: &str,
    reading: &mut Reading,
) -> bool {
    let mut scanner = Scanner::default();
    loop {
        if reading.abandoned() {
            return false;
        }
        let chunk = match input.fill_buf() {
            Ok([]) => break,
            Ok(chunk) => chunk,
            Err(e) => {
                reading
                    .problems
                    .add(read_error(gzip, &e), file, scanner.line, &e.to_string());
                return false;
            }
        };
        let n = chunk.len();
        scanner.feed(chunk, |object, line, garbage| {
            if garbage {
                reading
                    .problems
                    .add("bad JSON", file, line, "text between records");
            } else if let Err((reason, detail)) = one(object, reading) {
                reading.problems.add(reason, file, line, &detail);
            }
        });
        input.consume(n);
    }
    if scanner.depth > 0 || !scanner.object.is_empty() {
        reading.problems.add(
            "bad JSON",
            file,
            scanner.start_line,
            "the last record is cut short",
        );
    }
    true
}

fn one(object: &[u8], reading: &mut Reading) -> Result<(), (&'static str, String)> {
    let record: Record = serde_json::from_slice(object).map_err(|e| ("bad JSON", e.to_string()))?;
    let missing = |field: &str| ("missing field", field.to_string());
    let kind = record.event_type.ok_or_else(|| missing("EventType"))?;
    let stamp = record
        .event_timestamp
        .ok_or_else(|| missing("EventTimestamp"))?;
    let arn = record.agent_arn.ok_or_else(|| missing("AgentARN"))?;
    let snapshot = record.current_agent_snapshot;
    let state: Cow<str> = match kind.as_ref() {
        "HEART_BEAT" => return Ok(()),
        "LOGOUT" => Cow::Borrowed("Offline"),
        "LOGIN" | "STATE_CHANGE" => {
            let snapshot = snapshot
                .as_ref()
                .ok_or_else(|| missing("CurrentAgentSnapshot"))?;
            let contact = snapshot
                .contacts
                .iter()
                .filter_map(|c| {
                    let outbound = c.initiation_method.as_deref() == Some("OUTBOUND");
                    contact_state(c.state.as_deref()?, outbound)
                })
                .max_by_key(|(_, rank)| *rank);
            match contact {
                Some((state, _)) => Cow::Borrowed(state),
                None => snapshot
                    .agent_status
                    .as_ref()
                    .and_then(|s| s.name.clone())
                    .ok_or_else(|| missing("CurrentAgentSnapshot.AgentStatus.Name"))?,
            }
        }
        other => return Err(("unknown event type", other.to_string())),
    };
    let at = parse_ms(&stamp).ok_or_else(|| ("bad date", format!("EventTimestamp {stamp:?}")))?;
    let username = snapshot
        .as_ref()
        .and_then(|s| s.configuration.as_ref())
        .and_then(|c| c.username.as_deref());
    let agent = reading
        .telephony_agent(&arn, username)
        .ok_or_else(|| ("unknown user", arn.to_string()))?;
    let state = reading.names.id(&state);
    reading
        .push(agent, at, Kind::Phone, state, 0, 0)
        .map_err(|e| ("unreadable file", e.to_string()))
}

/// Cuts top-level JSON objects out of a byte stream fed in chunks.
#[derive(Default)]
struct Scanner {
    depth: u32,
    in_string: bool,
    escaped: bool,
    /// The object so far when it spans chunks.
    object: Vec<u8>,
    line: u64,
    start_line: u64,
    /// Text outside any object that is not white space (reported once per run).
    garbage: bool,
}

impl Scanner {
    /// Calls `each(object, line, false)` for every object completed in `chunk`, and
    /// `each(_, line, true)` for text between objects.
    fn feed(&mut self, chunk: &[u8], mut each: impl FnMut(&[u8], u64, bool)) {
        if self.line == 0 {
            self.line = 1;
        }
        let mut start = if self.depth > 0 { Some(0) } else { None };
        let mut i = 0;
        while i < chunk.len() {
            let b = chunk[i];
            if b == b'\n' {
                self.line += 1;
            }
            if self.depth == 0 {
                match b {
                    b'{' => {
                        self.depth = 1;
                        self.start_line = self.line;
                        start = Some(i);
                        self.garbage = false;
                    }
                    b' ' | b'\n' | b'\r' | b'\t' | b',' | b'[' | b']' => {}
                    _ => {
                        if !self.garbage {
                            self.garbage = true;
                            each(&[], self.line, true);
                        }
                    }
                }
            } else if self.in_string {
                if self.escaped {
                    self.escaped = false;
                } else if b == b'\\' {
                    self.escaped = true;
                } else if b == b'"' {
                    self.in_string = false;
                }
            } else {
                match b {
                    b'"' => self.in_string = true,
                    b'{' => self.depth += 1,
                    b'}' => {
                        self.depth -= 1;
                        if self.depth == 0 {
                            let from = start.take().unwrap_or(0);
                            if self.object.is_empty() {
                                each(&chunk[from..=i], self.start_line, false);
                            } else {
                                self.object.extend_from_slice(&chunk[from..=i]);
                                let object = std::mem::take(&mut self.object);
                                each(&object, self.start_line, false);
                            }
                        }
                    }
                    _ => {}
                }
            }
            i += 1;
        }
        if let Some(from) = start {
            self.object.extend_from_slice(&chunk[from..]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn objects(chunks: &[&str]) -> Vec<(String, u64, bool)> {
        let mut scanner = Scanner::default();
        let mut out = Vec::new();
        for chunk in chunks {
            scanner.feed(chunk.as_bytes(), |o, line, garbage| {
                out.push((String::from_utf8_lossy(o).into_owned(), line, garbage))
            });
        }
        out
    }

    #[test]
    fn objects_are_cut_out_of_lines_and_of_concatenated_text() {
        let got = objects(&[
            "{\"a\":1}\n{\"b\":\"}{\"}",
            "{\"c\":{\"d\"",
            ":2}}\n\n{\"e\":\"\\\"}\"}",
        ]);
        let texts: Vec<&str> = got.iter().map(|g| g.0.as_str()).collect();
        assert_eq!(
            texts,
            [
                "{\"a\":1}",
                "{\"b\":\"}{\"}",
                "{\"c\":{\"d\":2}}",
                "{\"e\":\"\\\"}\"}"
            ]
        );
        let lines: Vec<u64> = got.iter().map(|g| g.1).collect();
        assert_eq!(lines, [1, 2, 2, 4]);
    }

    #[test]
    fn contact_states_map_to_system_states_the_busiest_first() {
        let state = |contacts: &[(&str, bool)]| {
            contacts
                .iter()
                .filter_map(|(s, outbound)| contact_state(s, *outbound))
                .max_by_key(|(_, rank)| *rank)
                .map(|(s, _)| s)
        };
        assert_eq!(state(&[("CONNECTED", false)]), Some("Busy"));
        assert_eq!(state(&[("CONNECTED_ONHOLD", false)]), Some("Busy"));
        assert_eq!(state(&[("CONNECTING", true)]), Some("CallingCustomer"));
        assert_eq!(state(&[("INCOMING", false)]), Some("PendingBusy"));
        assert_eq!(state(&[("ENDED", false)]), Some("AfterCallWork"));
        assert_eq!(state(&[("MISSED", false)]), Some("MissedCallAgent"));
        assert_eq!(state(&[("ERROR", false)]), Some("FailedConnectAgent"));
        assert_eq!(state(&[("REJECTED", false)]), None);
        // A chat in after-contact work while a call rings: the call wins.
        assert_eq!(
            state(&[("ENDED", false), ("INCOMING", false)]),
            Some("PendingBusy")
        );
        assert_eq!(
            state(&[("ENDED", false), ("CONNECTED", false)]),
            Some("Busy")
        );
    }

    #[test]
    fn text_between_objects_is_reported_once_with_its_line() {
        let got = objects(&["{\"a\":1}\nnot json\n{\"b\":2}"]);
        assert_eq!(got.len(), 3);
        assert_eq!((got[1].1, got[1].2), (2, true));
    }
}
