//! Structured errors. Every problem carries a stable `code`, a JSONPath-like `path`
//! into the offending document and a plain sentence, so that the CLI, the wasm
//! binding and the demo can all show the same thing.

use serde::Serialize;
use std::fmt;

/// One problem found in a rules file or an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Stable machine-readable code such as `rules.unknownStatus`.
    pub code: &'static str,
    /// Where the problem is, e.g. `$.rules[0].then[0].setOmniStatus`.
    pub path: String,
    /// A plain sentence for a person.
    pub message: String,
}

impl Finding {
    pub fn new(code: &'static str, path: impl Into<String>, message: impl Into<String>) -> Self {
        Finding {
            code,
            path: path.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at {}: {}", self.code, self.path, self.message)
    }
}

/// Everything the engine can refuse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The rules file was refused as a whole; every problem is listed.
    #[error("the rules file is not valid: {}", summary(.0))]
    InvalidRules(Vec<Finding>),
    /// The event was refused and changed nothing.
    #[error("the event was refused: {0}")]
    InvalidEvent(Finding),
    /// The org's status catalog could not be read.
    #[error("the status catalog is not valid: {}", summary(.0))]
    InvalidCatalog(Vec<Finding>),
    /// The rules name statuses the org's catalog lacks: they cannot act in this org.
    /// `message` names every missing status and lists the org's; each finding names one.
    #[error("{message}")]
    UnknownStatus {
        message: String,
        details: Vec<Finding>,
    },
}

fn summary(findings: &[Finding]) -> String {
    match findings {
        [] => "no details".to_string(),
        [one] => one.to_string(),
        [first, ..] => format!("{} errors, first: {}", findings.len(), first),
    }
}

impl Error {
    /// The stable code of the error as a whole: `rules.invalid` for a refused rules
    /// file, `rules.unknownStatus` for valid rules naming a status the org lacks,
    /// `catalog.invalid` for an unreadable catalog, the finding's own code for a
    /// refused event.
    pub fn code(&self) -> &'static str {
        match self {
            Error::InvalidRules(_) => "rules.invalid",
            Error::InvalidEvent(f) => f.code,
            Error::InvalidCatalog(_) => "catalog.invalid",
            Error::UnknownStatus { .. } => "rules.unknownStatus",
        }
    }

    /// Every finding behind the error.
    pub fn details(&self) -> &[Finding] {
        match self {
            Error::InvalidRules(all)
            | Error::InvalidCatalog(all)
            | Error::UnknownStatus { details: all, .. } => all,
            Error::InvalidEvent(one) => std::slice::from_ref(one),
        }
    }
}
