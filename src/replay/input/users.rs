//! The user map: which telephony agent each Salesforce user is. A CSV with a header:
//! `UserId` and one or more of `AgentARN`, `AgentId`, `Username` (any of them finds
//! the agent), and optionally the agent context the rules' `scope` reads: `ProfileId`
//! and `Teams` (group DeveloperNames separated by `;`).

use super::csv_rows::{self, column};
use super::Reading;
use crate::engine::AgentContext;
use std::io::BufRead;

#[derive(Default)]
struct Columns {
    user: Option<usize>,
    telephony: Vec<usize>,
    profile: Option<usize>,
    teams: Option<usize>,
}

/// Reads the map; false when it could not be read to its end.
pub(crate) fn read(
    input: Box<dyn BufRead + Send>,
    gzip: bool,
    file: &str,
    reading: &mut Reading,
) -> bool {
    csv_rows::read(
        input,
        gzip,
        file,
        reading,
        |header| {
            let c = Columns {
                user: column(header, &["UserId"]),
                telephony: ["AgentARN", "AgentId", "Username", "Agent"]
                    .iter()
                    .filter_map(|n| column(header, &[n]))
                    .collect(),
                profile: column(header, &["ProfileId"]),
                teams: column(header, &["Teams"]),
            };
            if c.user.is_none() || c.telephony.is_empty() {
                return Err(
                    "a user map needs UserId and one of AgentARN, AgentId, Username".into(),
                );
            }
            Ok(c)
        },
        |c, row, reading| {
            let user = row.get(c.user).unwrap_or_default();
            if user.is_empty() {
                return Err(("unknown user", "UserId is empty".into()));
            }
            let telephony: Vec<&str> = c
                .telephony
                .iter()
                .filter_map(|&i| row.get(Some(i)))
                .collect();
            let context = AgentContext {
                user_id: None,
                profile_id: row.get(c.profile).map(str::to_string),
                teams: row
                    .get(c.teams)
                    .map(|t| {
                        t.split(';')
                            .map(str::trim)
                            .filter(|t| !t.is_empty())
                            .map(str::to_string)
                            .collect()
                    })
                    .unwrap_or_default(),
            };
            reading.map_user(user, &telephony, context);
            Ok(())
        },
    )
}
