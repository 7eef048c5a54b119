//! What reading the exports yields, below both the readers (`input`) and the replay
//! that consumes their rows (`stream`, `agent`, `report`): which export a file is, the
//! rows that could not be used, the progress counters, the agents and statuses known,
//! and where an input's text is.

use crate::engine::AgentContext;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

/// How many places each kind of problem lists.
pub(crate) const EXAMPLES: usize = 10;

/// Which export a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum InputKind {
    Usp,
    AgentWork,
    Connect,
    Trace,
}

impl InputKind {
    pub fn name(self) -> &'static str {
        match self {
            InputKind::Usp => "UserServicePresence",
            InputKind::AgentWork => "AgentWork",
            InputKind::Connect => "Connect agent events",
            InputKind::Trace => "trace",
        }
    }
}

/// Rows that could not be used, by reason.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Problems {
    pub reasons: BTreeMap<String, Problem>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Problem {
    pub count: u64,
    /// The first few, as `file:line: detail`.
    pub examples: Vec<String>,
}

impl Problems {
    pub(crate) fn add(&mut self, reason: &str, file: &str, line: u64, detail: &str) {
        let entry = self.reasons.entry(reason.to_string()).or_default();
        entry.count += 1;
        if entry.examples.len() < EXAMPLES {
            entry.examples.push(if detail.is_empty() {
                format!("{file}:{line}")
            } else {
                format!("{file}:{line}: {detail}")
            });
        }
    }

    pub fn total(&self) -> u64 {
        self.reasons.values().map(|p| p.count).sum()
    }
}

/// Bytes read so far, shared with the progress display.
#[derive(Debug, Default)]
pub struct Progress {
    /// Of the files as stored (compressed when gzip).
    pub stored: AtomicU64,
    /// Of the text inside them.
    pub text: AtomicU64,
    /// Agents replayed.
    pub agents_done: AtomicU64,
}

/// An agent as the replay knows it.
#[derive(Debug, Clone)]
pub(crate) struct Agent {
    /// The Salesforce UserId (18 characters) or, with no user map, the telephony key.
    pub(crate) name: String,
    pub(crate) context: AgentContext,
}

/// A status the rows may name, by Id or DeveloperName.
#[derive(Debug, Clone)]
pub(crate) struct KnownStatus {
    pub(crate) id: String,
    pub(crate) name: String,
}

/// Where an input's text is: a file, or bytes already in memory (one partition of
/// an export handed over by a distributed engine, through the Python binding).
#[derive(Debug, Clone)]
pub enum Source {
    File(PathBuf),
    /// The bytes (text or gzip, as a file would hold them) and the name the report
    /// gives them.
    Bytes {
        name: String,
        bytes: Arc<[u8]>,
    },
}

impl Source {
    /// How the report names it: the path, or the name given.
    pub fn name(&self) -> String {
        match self {
            Source::File(path) => path.display().to_string(),
            Source::Bytes { name, .. } => name.clone(),
        }
    }

    /// The file's path (none for bytes in memory).
    pub fn path(&self) -> Option<&Path> {
        match self {
            Source::File(path) => Some(path),
            Source::Bytes { .. } => None,
        }
    }
}

impl From<PathBuf> for Source {
    fn from(path: PathBuf) -> Source {
        Source::File(path)
    }
}
