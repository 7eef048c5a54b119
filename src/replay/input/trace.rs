//! The generic trace: one JSON event per line, each with its time `at` (ms), in the
//! shape `omnisync simulate` reads; for the replay a line may name its agent
//! (`"agent"`: a Salesforce UserId or a telephony key; none: one agent). [`Lines`]
//! reads it a line at a time: `simulate` streams through it too, so neither holds
//! the trace in memory.

use super::trace_time::TraceReading;
use super::{hash, read_error, Reading};
use crate::event::{event_time, Event, WorkEvent};
use crate::replay::record::Kind;
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
                    return Some(parse(text, line, &self.reading));
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
    for item in Lines::new(input, gzip) {
        let result = item
            .map_err(|b| (b.reason, b.line, b.detail))
            .and_then(|line| one(&line, reading).map_err(|(r, d)| (r, line.line, d)));
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
    reading
        .push(agent, line.at, kind, a, b, x)
        .map_err(|e| ("unreadable file", e.to_string()))
}
