//! AgentWork: one record per work item routed to a user, with the times it was
//! assigned, accepted, declined and closed. Each time becomes the work event Omni-
//! Channel sends then; with a `CapacityWeight`, accepting and closing also change the
//! workload, as the WorkloadChanged event does.

use super::csv_rows::{self, column, Row};
use super::{hash, Reading};
use crate::replay::record::Kind;
use crate::replay::time::parse_ms;
use std::io::BufRead;

#[derive(Default)]
struct Columns {
    user: Option<usize>,
    item: Option<usize>,
    channel: Option<usize>,
    assigned: Option<usize>,
    accepted: Option<usize>,
    declined: Option<usize>,
    closed: Option<usize>,
    weight: Option<usize>,
}

/// Reads one export; false when it could not be read to its end.
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
                item: column(header, &["WorkItemId"]),
                channel: column(
                    header,
                    &["ServiceChannel.DeveloperName", "ServiceChannelId"],
                ),
                assigned: column(header, &["AssignedDateTime"]),
                accepted: column(header, &["AcceptDateTime"]),
                declined: column(header, &["DeclineDateTime"]),
                closed: column(header, &["CloseDateTime"]),
                weight: column(header, &["CapacityWeight"]),
            };
            match (c.user, c.item, c.assigned) {
                (Some(_), Some(_), Some(_)) => Ok(c),
                _ => {
                    Err("an AgentWork export needs UserId, WorkItemId and AssignedDateTime".into())
                }
            }
        },
        one,
    )
}

fn one(c: &Columns, row: &Row<'_>, reading: &mut Reading) -> Result<(), (&'static str, String)> {
    let user = row.get(c.user).unwrap_or_default();
    let agent = reading
        .user(user)
        .ok_or_else(|| ("unknown user", user.to_string()))?;
    let item = row
        .get(c.item)
        .ok_or_else(|| ("missing field", "WorkItemId".to_string()))?;
    let date = |i: Option<usize>, name: &str| -> Result<Option<u64>, (&'static str, String)> {
        match row.get(i) {
            None => Ok(None),
            Some(text) => parse_ms(text)
                .map(Some)
                .ok_or_else(|| ("bad date", format!("{name} {text:?}"))),
        }
    };
    let assigned = date(c.assigned, "AssignedDateTime")?
        .ok_or_else(|| ("bad date", "AssignedDateTime is empty".to_string()))?;
    let times = [
        (Kind::WorkAssigned, Some(assigned)),
        (Kind::WorkAccepted, date(c.accepted, "AcceptDateTime")?),
        (Kind::WorkDeclined, date(c.declined, "DeclineDateTime")?),
        (Kind::WorkClosed, date(c.closed, "CloseDateTime")?),
    ];
    let channel = row.get(c.channel).map_or(0, |ch| reading.names.id(ch));
    let weight = row
        .get(c.weight)
        .and_then(|w| w.parse::<f32>().ok())
        .unwrap_or(f32::NAN);
    let work = hash(item);
    for (kind, at) in times {
        if let Some(at) = at {
            reading
                .push(agent, at, kind, channel, weight.to_bits(), work)
                .map_err(|e| ("unreadable file", e.to_string()))?;
        }
    }
    Ok(())
}
