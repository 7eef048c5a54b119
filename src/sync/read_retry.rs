//! Where the status read stands after failures, kept by the loop and moved on by its
//! reads (`read.rs`).

/// Where the status read stands after failures: a failed read is asked again with
/// back-off, the delay growing with the failures in a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ReadRetry {
    /// The last status read answered (or none has failed).
    Settled,
    /// `failures` reads in a row failed; the next is asked at `at`.
    Scheduled { failures: u32, at: u64 },
    /// `failures` reads in a row failed and the next has been asked.
    Asked { failures: u32 },
}

impl ReadRetry {
    pub(super) fn failures(self) -> u32 {
        match self {
            ReadRetry::Settled => 0,
            ReadRetry::Scheduled { failures, .. } | ReadRetry::Asked { failures } => failures,
        }
    }

    /// When the loop must ask again.
    pub(super) fn due(self) -> Option<u64> {
        match self {
            ReadRetry::Scheduled { at, .. } => Some(at),
            ReadRetry::Settled | ReadRetry::Asked { .. } => None,
        }
    }
}
