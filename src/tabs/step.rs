//! What a tab takes in ([`Input`]) and gives back ([`Step`]: commands, reads, timers,
//! the session write, trace lines), and the windows it decides by.

use crate::engine::DecisionSummary;
use crate::event::Event;
use crate::read::PresenceRead;
use crate::rules::file::Side;
use crate::sync::{Command, LogKind};
use serde::Serialize;

/// How long a silent leader is still taken as there: it says so every second.
pub const SILENCE_MS: u64 = 2_500;

/// How long a change waits before the saved session is written: a burst of events
/// costs one write, not one per event (the session holds the metrics records). A
/// reload within it loses nothing: `pagehide` writes at once, and the start-up read
/// corrects the presence anyway.
pub const SAVE_DELAY_MS: u64 = 250;

/// Everything that happens to a running tab.
#[derive(Debug)]
pub enum Input {
    /// An event from a bridge, with its own time if it has one.
    Event(Box<Event>, Option<u64>),
    /// A write's result: its id and the error code of a failure.
    Result(u64, Option<String>),
    /// What the bridges read back (see `crate::read`), with the loop's mark when the
    /// read was asked (`SyncLoop::read_mark`).
    Read(Box<PresenceRead>, u64),
    /// The loop's wake-up time came.
    Tick,
    /// The lock (or the heartbeat election) says whether this tab leads.
    Lock(bool),
    /// Omni-Channel's connection error event: drives the relogin.
    ConnectionLost,
    /// The leading tab started or finished a write (its announcement on the channel).
    Acting(Side, String),
    Done(Side, String),
    /// A follower's wait for the leader's confirmation ran out (its timer fired).
    Unconfirmed,
    /// The leading tab said it is there.
    Alive,
}

/// A timer to arm (or, for the confirmation, to cancel): the driver keeps one of each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "timer", rename_all = "camelCase")]
pub enum Timer {
    /// The sync loop's next wake-up: feed [`Input::Tick`] at `at`.
    Wake { at: u64 },
    /// A follower's wait for a confirmation: feed [`Input::Unconfirmed`] at `at`;
    /// `None` cancels it.
    Confirm { at: Option<u64> },
}

/// What to do about the saved session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Save {
    /// A write is due at this time: call `Tab::save_now` then (or when the page goes).
    After(u64),
    /// Write this text under the session's key.
    Write(String),
}

/// What a trace line is: a sync-loop log kind, or one of the tab's own.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Kind {
    Sync(LogKind),
    Tab(&'static str),
}

/// One line for the runtime's trace.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Line {
    pub kind: Kind,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision: Option<DecisionSummary>,
    /// Recorded by a tab that does not lead: decided, not acted on.
    pub mirrored: bool,
}

/// What handling one input leaves the driver to do, in this order: record the trace
/// lines, queue the results, carry out the commands, read, notify.
#[derive(Debug, Default, Serialize)]
pub struct Step {
    /// Commands for the bridges.
    pub commands: Vec<Command>,
    /// Read both sides' presence.
    pub reads: bool,
    /// Something visible changed: call `onUpdate`.
    pub notify: bool,
    pub timers: Vec<Timer>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub save: Option<Save>,
    /// Writes a follower counts as done (the leader confirmed them): feed each back
    /// as a successful [`Input::Result`] after this step.
    pub results: Vec<u64>,
    pub trace: Vec<Line>,
}
