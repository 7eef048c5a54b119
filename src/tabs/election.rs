//! Which tab leads where the page has no Web Locks: every tab says on the channel
//! when it started (and a random id, for ties) once a second, and the oldest tab heard
//! from within [`SILENCE_MS`] leads. A peer claiming a start time no tab of this
//! machine can have (ahead of this clock, or older than any shift) is ignored, so a
//! forged message cannot keep every tab from leading. The driver sends and hears the
//! messages and feeds the verdict to [`super::Tab`] as `Input::Lock`.

use super::step::SILENCE_MS;

/// A peer's start time may be this far ahead of this clock (clocks of one machine).
const START_SKEW_MS: f64 = 5_000.0;
/// No agent's tab runs longer than this: an older start time is forged.
const OLDEST_START_MS: f64 = 24.0 * 3_600_000.0;

/// A tab as it announces itself: (start time in ms, random id in `0..1`).
pub type Candidate = (f64, f64);

/// The peers heard lately, each with when it was last heard.
#[derive(Debug, Default)]
pub struct Election {
    peers: Vec<(Candidate, f64)>,
}

impl Election {
    /// A peer announced itself at `now`.
    pub fn heard(&mut self, peer: Candidate, now: f64) {
        if !possible(peer, now) {
            return;
        }
        self.peers.retain(|(known, _)| *known != peer);
        self.peers.push((peer, now));
    }

    /// Whether `me` leads at `now`: older (then smaller id) than every peer heard from
    /// within the silence window. Peers silent for longer are forgotten.
    pub fn leads(&mut self, me: Candidate, now: f64) -> bool {
        self.peers
            .retain(|(_, last)| now - last < SILENCE_MS as f64);
        self.peers.iter().all(|(peer, _)| me < *peer)
    }
}

/// A start time and id another tab of this agent could really have.
fn possible((started, id): Candidate, now: f64) -> bool {
    started.is_finite()
        && started <= now + START_SKEW_MS
        && started >= now - OLDEST_START_MS
        && (0.0..1.0).contains(&id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_oldest_tab_heard_lately_leads() {
        let now = 1_000_000.0;
        let mut election = Election::default();
        let me = (now - 10_000.0, 0.5);
        assert!(election.leads(me, now), "alone, a tab leads");
        election.heard((now - 20_000.0, 0.9), now);
        assert!(!election.leads(me, now), "an older tab leads");
        assert!(
            election.leads(me, now + SILENCE_MS as f64),
            "until it falls silent"
        );
        election.heard((now - 10_000.0, 0.7), now);
        assert!(election.leads(me, now), "same start: the smaller id leads");
        election.heard((now - 10_000.0, 0.1), now);
        assert!(!election.leads(me, now));
    }

    #[test]
    fn a_start_no_tab_can_have_is_ignored() {
        let now = 1_000_000.0;
        let mut election = Election::default();
        let me = (now - 10_000.0, 0.5);
        for forged in [
            (f64::NEG_INFINITY, 0.5),
            (f64::NAN, 0.5),
            (now - OLDEST_START_MS - 1.0, 0.5),
            (now + START_SKEW_MS + 1.0, 0.5),
            (now - 20_000.0, 1.0),
            (now - 20_000.0, -0.1),
        ] {
            election.heard(forged, now);
            assert!(election.leads(me, now), "{forged:?} is ignored");
        }
    }
}
