//! UserServicePresence: one record per presence period of a user. A record that ends
//! where the next one starts is a change of status; one that ends with no next one
//! within a moment is a logout (the per-agent pass decides, once rows are in order).

use super::csv_rows::{self, column, Row};
use super::Reading;
use crate::replay::record::Kind;
use crate::replay::time::parse_ms;
use std::io::BufRead;

#[derive(Default)]
struct Columns {
    user: Option<usize>,
    status: Option<usize>,
    start: Option<usize>,
    end: Option<usize>,
    current: Option<usize>,
    capacity: Option<usize>,
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
                status: column(
                    header,
                    &[
                        "ServicePresenceStatusId",
                        "ServicePresenceStatus.DeveloperName",
                    ],
                ),
                start: column(header, &["StatusStartDate"]),
                end: column(header, &["StatusEndDate"]),
                current: column(header, &["IsCurrentState"]),
                capacity: column(header, &["ConfiguredCapacity"]),
            };
            match (c.user, c.status, c.start) {
                (Some(_), Some(_), Some(_)) => Ok(c),
                _ => Err("a UserServicePresence export needs UserId, ServicePresenceStatusId (or ServicePresenceStatus.DeveloperName) and StatusStartDate".into()),
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
    let start = row.get(c.start).unwrap_or_default();
    let start =
        parse_ms(start).ok_or_else(|| ("bad date", format!("StatusStartDate {start:?}")))?;
    let end = match row.get(c.end) {
        Some(end) => {
            Some(parse_ms(end).ok_or_else(|| ("bad date", format!("StatusEndDate {end:?}")))?)
        }
        None => None,
    };
    if end.is_some_and(|end| end < start) {
        return Err(("bad date", "StatusEndDate is before StatusStartDate".into()));
    }
    let status = row.get(c.status).unwrap_or_default();
    let status = reading
        .status(status)
        .ok_or_else(|| ("unknown status", status.to_string()))?;
    let io = |e: std::io::Error| ("unreadable file", e.to_string());
    if let Some(capacity) = row.get(c.capacity).and_then(|v| v.parse::<f32>().ok()) {
        reading
            .push(agent, start, Kind::Capacity, capacity.to_bits(), 0, 0)
            .map_err(io)?;
    }
    reading
        .push(agent, start, Kind::OmniStart, status, 0, 0)
        .map_err(io)?;
    let current = row
        .get(c.current)
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    if let (Some(end), false) = (end, current) {
        reading
            .push(agent, end, Kind::OmniEnd, 0, 0, 0)
            .map_err(io)?;
    }
    Ok(())
}
