//! The generic trace: one JSON event per line, each with its time `at` (ms), in the
//! shape `omnisync simulate` reads; for the replay a line may name its agent
//! (`"agent"`: a Salesforce UserId or a telephony key; none: one agent). [`Lines`]
//! reads it a line at a time: `simulate` streams through it too, so neither holds
//! the trace in memory.

use super::trace_time::TraceReading;
use super::{hash, read_error, Reading};
use crate::event::{event_time, Event, EventKind, WorkEvent, MAX_EVENT_STRING};
use crate::replay::record::Kind;
use serde::de::IgnoredAny;
use serde::Deserialize;
use serde_json::Value;
use std::borrow::Cow;
use std::io::BufRead;

/// One event of the trace.
#[derive(Debug)]
pub struct TraceLine {
    pub line: u64,
    pub value: Value,
    pub event: Event,
    pub at: u64,
}

impl std::borrow::Borrow<Event> for TraceLine {
    fn borrow(&self) -> &Event {
        &self.event
    }
}

/// A line that is not an event, or a file that could not be read on.
#[derive(Debug)]
pub struct BadLine {
    pub line: u64,
    pub reason: &'static str,
    pub detail: String,
}

/// The events of a trace, one line at a time (blank lines and `#` comments skipped);
/// after a read error (a cut gzip file) nothing more.
pub struct Lines<R> {
    input: R,
    gzip: bool,
    line: u64,
    text: String,
    done: bool,
    reading: TraceReading,
}

impl<R: BufRead> Lines<R> {
    /// `gzip`: the text is inflated from gzip, so a read error is a cut file.
    pub fn new(input: R, gzip: bool) -> Lines<R> {
        Lines {
            input,
            gzip,
            line: 0,
            text: String::new(),
            done: false,
            reading: TraceReading::default(),
        }
    }

    /// Clock times on a day, a time zone, statuses by name: see [`TraceReading`].
    pub fn with_reading(mut self, reading: TraceReading) -> Lines<R> {
        self.reading = reading;
        self
    }
}

impl<R: BufRead> Iterator for Lines<R> {
    type Item = Result<TraceLine, BadLine>;

    fn next(&mut self) -> Option<Self::Item> {
        Some(match self.next_text()? {
            Ok(line) => parse(self.text.trim(), line, &self.reading),
            Err(bad) => Err(bad),
        })
    }
}

impl<R: BufRead> Lines<R> {
    /// The next line that is not blank nor a comment (its number; the text is
    /// `self.text`), or the read error that ends the file.
    fn next_text(&mut self) -> Option<Result<u64, BadLine>> {
        while !self.done {
            self.text.clear();
            self.line += 1;
            let line = self.line;
            match self.input.read_line(&mut self.text) {
                Ok(0) => self.done = true,
                Ok(_) => {
                    let text = self.text.trim();
                    if text.is_empty() || text.starts_with('#') {
                        continue;
                    }
                    return Some(Ok(line));
                }
                Err(e) => {
                    self.done = true;
                    let reason = if e.kind() == std::io::ErrorKind::InvalidData && !self.gzip {
                        "bad JSON"
                    } else {
                        read_error(self.gzip, &e)
                    };
                    return Some(Err(BadLine {
                        line,
                        reason,
                        detail: e.to_string(),
                    }));
                }
            }
        }
        None
    }
}

fn parse(text: &str, line: u64, reading: &TraceReading) -> Result<TraceLine, BadLine> {
    let bad = |reason: &'static str, detail: String| BadLine {
        line,
        reason,
        detail,
    };
    let mut value: Value =
        serde_json::from_str(text).map_err(|e| bad("bad JSON", e.to_string()))?;
    reading
        .prepare(&mut value)
        .map_err(|e| bad("bad event", e))?;
    let event = Event::from_value(&value).map_err(|e| bad("bad event", e.to_string()))?;
    let at = event_time(&Cow::Borrowed(&value))
        .map_err(|e| bad("bad date", e.to_string()))?
        .ok_or_else(|| bad("bad date", "the line has no \"at\"".into()))?;
    Ok(TraceLine {
        line,
        value,
        event,
        at,
    })
}

/// Reads one trace for the replay; false when it could not be read to its end.
pub(crate) fn read(
    input: Box<dyn BufRead + Send>,
    gzip: bool,
    file: &str,
    reading: &mut Reading,
) -> bool {
    let mut lines = Lines::new(input, gzip);
    while let Some(item) = lines.next_text() {
        if reading.abandoned() {
            return false;
        }
        // The common line is read straight into a row; anything the quick reading does
        // not take whole is read as `simulate` reads it, so both give the same answer.
        let result = item
            .map_err(|b| (b.reason, b.line, b.detail))
            .and_then(|n| {
                let text = lines.text.trim();
                match quick(text, reading) {
                    Some(Ok(row)) => reading.push_row(row),
                    Some(Err(e)) => Err(e),
                    None => parse(text, n, &lines.reading)
                        .map_err(|b| (b.reason, b.detail))
                        .and_then(|line| one(&line, reading)),
                }
                .map_err(|(r, d)| (r, n, d))
            });
        if let Err((reason, line, detail)) = result {
            let cut = matches!(reason, "truncated gzip" | "unreadable file");
            reading.problems.add(reason, file, line, &detail);
            if cut {
                return false;
            }
        }
    }
    true
}

fn one(line: &TraceLine, reading: &mut Reading) -> Result<(), (&'static str, String)> {
    let name = line.value.get("agent").and_then(Value::as_str);
    let agent = reading
        .trace_agent(name)
        .ok_or_else(|| ("unknown user", name.unwrap_or_default().to_string()))?;
    let status = |reading: &Reading, id: &str, name: Option<&str>| {
        reading
            .status(id)
            .or_else(|| name.and_then(|n| reading.status(n)))
            .ok_or_else(|| ("unknown status", name.unwrap_or(id).to_string()))
    };
    let (kind, a, b, x) = match &line.event {
        Event::LoginSuccess { status_id } => (Kind::Login, status(reading, status_id, None)?, 0, 0),
        Event::StatusChanged {
            status_id,
            status_api_name,
            reason,
            ..
        } => {
            let s = status(reading, status_id, Some(status_api_name))?;
            let r = reason.as_deref().map_or(0, |r| reading.names.id(r));
            (Kind::Status, s, r, 0)
        }
        Event::Logout { .. } => (Kind::Logout, 0, 0, 0),
        Event::TelephonyStateChanged { new_state, .. } => {
            (Kind::Phone, reading.names.id(new_state), 0, 0)
        }
        Event::Work { kind, work } => {
            let kind = match kind {
                WorkEvent::Assigned => Kind::WorkAssigned,
                WorkEvent::Accepted => Kind::WorkAccepted,
                WorkEvent::Declined => Kind::WorkDeclined,
                WorkEvent::Closed => Kind::WorkClosed,
            };
            let channel = work
                .service_channel
                .as_deref()
                .map_or(0, |c| reading.names.id(c));
            (kind, channel, f32::NAN.to_bits(), hash(&work.work_item_id))
        }
        Event::WorkloadChanged {
            configured_capacity,
            previous_workload,
            new_workload,
        } => (
            Kind::Workload,
            (*configured_capacity as f32).to_bits(),
            (*previous_workload as f32).to_bits(),
            new_workload.to_bits(),
        ),
        // The sync loop makes its own timers.
        Event::Idle { .. } => return Ok(()),
    };
    reading.push_row((agent, line.at, kind, a, b, x))
}

/// The fields of a trace line the replay reads, borrowed from the line.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Quick<'a> {
    #[serde(rename = "type", borrow)]
    kind: Option<&'a str>,
    #[serde(borrow)]
    agent: Option<&'a str>,
    at: Option<f64>,
    #[serde(borrow)]
    status_id: Option<&'a str>,
    #[serde(borrow)]
    status_api_name: Option<&'a str>,
    #[serde(borrow)]
    status_name: Option<&'a str>,
    #[serde(borrow)]
    reason: Option<&'a str>,
    #[serde(borrow)]
    new_state: Option<&'a str>,
    #[serde(borrow)]
    old_state: Option<&'a str>,
    #[serde(borrow)]
    work_item_id: Option<&'a str>,
    #[serde(borrow)]
    work_id: Option<&'a str>,
    #[serde(borrow)]
    service_channel: Option<&'a str>,
    channels: Option<IgnoredAny>,
}

type Row = (u32, u64, Kind, u32, u32, u64);

/// A line in the common shape as its row, without building a JSON value and an event
/// (most of the reading's time otherwise). `None` when the line is anything else (a
/// string with escapes, a repeated key, a field of another type, a missing field,
/// `channels`, workload and idle events): [`parse`] then reads it and says what is
/// wrong, so the answer is the same either way.
fn quick(text: &str, reading: &mut Reading) -> Option<Result<Row, (&'static str, String)>> {
    let q: Quick<'_> = serde_json::from_str(text).ok()?;
    let fits = |s: &Option<&str>| s.is_none_or(|s| s.len() <= MAX_EVENT_STRING);
    let texts = [
        q.kind,
        q.agent,
        q.status_id,
        q.status_api_name,
        q.status_name,
        q.reason,
        q.new_state,
        q.old_state,
        q.work_item_id,
        q.work_id,
        q.service_channel,
    ];
    if q.channels.is_some() || !texts.iter().all(fits) {
        return None;
    }
    let at = q.at.filter(|t| t.is_finite() && *t >= 0.0)? as u64;
    let kind = EventKind::from_name(q.kind?)?;
    // Every field the event needs is there before anything is looked up.
    let kind = match kind {
        EventKind::LoginSuccess => Kind::Login,
        EventKind::StatusChanged if q.status_api_name.is_some() => Kind::Status,
        EventKind::Logout => Kind::Logout,
        EventKind::TelephonyStateChanged if q.new_state.is_some() => Kind::Phone,
        EventKind::WorkAssigned => Kind::WorkAssigned,
        EventKind::WorkAccepted => Kind::WorkAccepted,
        EventKind::WorkDeclined => Kind::WorkDeclined,
        EventKind::WorkClosed => Kind::WorkClosed,
        _ => return None,
    };
    let work = matches!(
        kind,
        Kind::WorkAssigned | Kind::WorkAccepted | Kind::WorkDeclined | Kind::WorkClosed
    );
    if matches!(kind, Kind::Login | Kind::Status) && q.status_id.is_none()
        || work && (q.work_item_id.is_none() || q.work_id.is_none())
    {
        return None;
    }
    // As [`one`]: the agent first, then the status.
    let Some(agent) = reading.trace_agent(q.agent) else {
        let name = q.agent.unwrap_or_default().to_string();
        return Some(Err(("unknown user", name)));
    };
    let status = |reading: &Reading, id: &str, name: Option<&str>| {
        reading
            .status(id)
            .or_else(|| name.and_then(|n| reading.status(n)))
            .ok_or_else(|| ("unknown status", name.unwrap_or(id).to_string()))
    };
    let id = q.status_id.unwrap_or_default();
    let (a, b, x) = match kind {
        Kind::Login => match status(reading, id, None) {
            Ok(s) => (s, 0, 0),
            Err(e) => return Some(Err(e)),
        },
        Kind::Status => match status(reading, id, q.status_api_name) {
            Ok(s) => (s, q.reason.map_or(0, |r| reading.names.id(r)), 0),
            Err(e) => return Some(Err(e)),
        },
        Kind::Phone => (reading.names.id(q.new_state.unwrap_or_default()), 0, 0),
        _ if work => {
            let channel = q.service_channel.map_or(0, |c| reading.names.id(c));
            let item = q.work_item_id.unwrap_or_default();
            (channel, f32::NAN.to_bits(), hash(item))
        }
        _ => (0, 0, 0),
    };
    Some(Ok((agent, at, kind, a, b, x)))
}
