//! The runtime's decision trace: a ring of entries bounded by count (`traceSize`) and by
//! the bytes of their JSON, which the host publishes and the panel shows.

use omnisync::engine::DecisionSummary;
use omnisync::sync::LogKind;
use serde::Serialize;
use std::collections::VecDeque;

/// What the ring holds at most, in bytes of its JSON: the host publishes it, and a
/// rules file with many rules matching at once must not make it grow without end.
const TRACE_BYTES: usize = 256 * 1024;

/// What a trace line is, written as its name: a sync-loop log kind (by its serde name,
/// so no name is kept twice and none is made per line), one of the runtime's own, or a
/// bridge's note.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub(crate) enum Kind {
    Sync(LogKind),
    Runtime(&'static str),
    Note(String),
}

impl From<LogKind> for Kind {
    fn from(kind: LogKind) -> Kind {
        Kind::Sync(kind)
    }
}

impl From<omnisync::tabs::Kind> for Kind {
    fn from(kind: omnisync::tabs::Kind) -> Kind {
        match kind {
            omnisync::tabs::Kind::Sync(kind) => Kind::Sync(kind),
            omnisync::tabs::Kind::Tab(kind) => Kind::Runtime(kind),
        }
    }
}

impl From<&'static str> for Kind {
    fn from(kind: &'static str) -> Kind {
        Kind::Runtime(kind)
    }
}

/// One line of the decision trace.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TraceEntry {
    seq: u64,
    at: u64,
    kind: Kind,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    decision: Option<DecisionSummary>,
    /// Recorded by a tab that does not lead: seen and decided, not acted on.
    mirrored: bool,
}

impl TraceEntry {
    /// The length of this entry's JSON, counted without writing it anywhere.
    fn json_bytes(&self) -> usize {
        struct Count(usize);
        impl std::io::Write for Count {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                self.0 += buf.len();
                Ok(buf.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let mut count = Count(0);
        let _ = serde_json::to_writer(&mut count, self);
        count.0
    }
}

pub(crate) struct TraceRing {
    /// Each entry with the length of its JSON.
    entries: VecDeque<(TraceEntry, usize)>,
    bytes: usize,
    size: usize,
    seq: u64,
}

impl TraceRing {
    /// A ring of at most `size` entries.
    pub(crate) fn new(size: usize) -> TraceRing {
        TraceRing {
            entries: VecDeque::new(),
            bytes: 0,
            size,
            seq: 0,
        }
    }

    /// Adds an entry (at the decision's time, else now); the oldest go first.
    pub(crate) fn record(
        &mut self,
        kind: Kind,
        message: String,
        rule: Option<String>,
        decision: Option<DecisionSummary>,
        mirrored: bool,
    ) {
        self.seq += 1;
        let at = decision
            .as_ref()
            .map_or_else(|| js_sys::Date::now() as u64, |d| d.trace.at);
        let entry = TraceEntry {
            seq: self.seq,
            at,
            kind,
            message,
            rule,
            decision,
            mirrored,
        };
        let bytes = entry.json_bytes();
        self.entries.push_back((entry, bytes));
        self.bytes += bytes;
        // Oldest out first, by count and by bytes; the newest entry always stays.
        while self.entries.len() > 1 && (self.entries.len() > self.size || self.bytes > TRACE_BYTES)
        {
            if let Some((_, gone)) = self.entries.pop_front() {
                self.bytes -= gone;
            }
        }
    }

    /// The last `limit` entries (default all), oldest first.
    pub(crate) fn last(&self, limit: Option<usize>) -> Vec<&TraceEntry> {
        let skip = limit.map_or(0, |n| self.entries.len().saturating_sub(n));
        self.entries.iter().skip(skip).map(|(e, _)| e).collect()
    }
}
