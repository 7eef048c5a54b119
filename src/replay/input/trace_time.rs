//! What a hand-written trace may say that the engine's events do not: `at` as an ISO
//! 8601 date-time or a clock time (`"08:00"`, `"08:00:30.250"`) on a stated day, and a
//! status by its DeveloperName alone when the org's catalog gives the Id. Each line is
//! brought to the engine's shape (milliseconds, `statusId` and `statusApiName`) before
//! it is read as an event.

use crate::replay::time::parse_ms;
use crate::rules::Catalog;
use serde_json::Value;

const DAY_MS: i64 = 86_400_000;

/// How a trace's clock times and status names are read.
#[derive(Debug, Clone, Default)]
pub struct TraceReading {
    /// The day clock times are on: days since 1970-01-01 (0 when not stated).
    pub day: i64,
    /// The time zone of clock times, of date-times without a zone, and of the times
    /// the table prints: minutes east of UTC.
    pub offset_minutes: i64,
    /// The org's statuses: a status event may name its status by DeveloperName only.
    pub catalog: Option<Catalog>,
}

impl TraceReading {
    /// `YYYY-MM-DD` as the day clock times are on.
    pub fn parse_day(text: &str) -> Option<i64> {
        let ms = parse_ms(&format!("{}T00:00:00Z", text.trim()))?;
        i64::try_from(ms).ok().map(|ms| ms / DAY_MS)
    }

    /// `UTC`, `Z`, `+01:00`, `-0500`, `+1`: a fixed offset from UTC in minutes.
    pub fn parse_offset(text: &str) -> Option<i64> {
        let text = text.trim();
        if matches!(text, "UTC" | "utc" | "Z" | "GMT") {
            return Some(0);
        }
        let text = text
            .strip_prefix("UTC")
            .or_else(|| text.strip_prefix("GMT"))
            .unwrap_or(text);
        let (sign, rest) = match text.as_bytes().first()? {
            b'+' => (1, &text[1..]),
            b'-' => (-1, &text[1..]),
            _ => return None,
        };
        let digits: String = rest.chars().filter(|c| *c != ':').collect();
        if digits.is_empty() || digits.len() > 4 || !digits.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        let (h, m) = match digits.len() {
            1 | 2 => (digits.parse::<i64>().ok()?, 0),
            n => (
                digits[..n - 2].parse::<i64>().ok()?,
                digits[n - 2..].parse::<i64>().ok()?,
            ),
        };
        (h <= 14 && m < 60).then_some(sign * (h * 60 + m))
    }

    /// `at` in milliseconds since 1970 (UTC): a number as it is, a date-time, or a
    /// clock time on [`TraceReading::day`]. `Err` says what was wrong.
    pub(crate) fn at(&self, at: &Value) -> Result<Option<Value>, String> {
        let Some(text) = at.as_str() else {
            return Ok(None);
        };
        let offset_ms = self.offset_minutes * 60_000;
        let ms = if text.len() >= 19 && text.as_bytes().get(4) == Some(&b'-') {
            // `get`: the text is the trace's, and may cut a character at byte 19.
            let zone = text.get(19..).unwrap_or_default();
            let zoned = text.ends_with('Z') || zone.contains(['+', '-']);
            let ms = parse_ms(text).map(|ms| ms as i64);
            // A date-time without a zone is in the stated zone.
            ms.map(|ms| if zoned { ms } else { ms - offset_ms })
        } else {
            clock(text).map(|ms| self.day * DAY_MS + ms - offset_ms)
        };
        match ms {
            Some(ms) if ms >= 0 => Ok(Some(Value::from(ms as u64))),
            Some(_) => Err(format!(
                "\"at\": \"{text}\" falls before 1970 in this time zone: give the day with --day"
            )),
            None => Err(format!(
                "\"at\": \"{text}\" is not a time: write milliseconds, an ISO 8601 date-time (2026-03-02T08:00:00Z) or a clock time (08:00, 08:00:30, 08:00:30.250) on the --day"
            )),
        }
    }

    /// The time as the table prints it: the time of day in the stated zone, and the
    /// date when it is not the first day (a trace counted from 0 has none).
    pub fn clock(&self, ms: u64) -> (Option<String>, String) {
        let local = ms as i64 + self.offset_minutes * 60_000;
        let (days, rest) = (local.div_euclid(DAY_MS), local.rem_euclid(DAY_MS));
        let time = format!(
            "{:02}:{:02}:{:02}.{:03}",
            rest / 3_600_000,
            rest / 60_000 % 60,
            rest / 1000 % 60,
            rest % 1000
        );
        let date = (days != 0).then(|| {
            let (y, m, d) = crate::metrics::civil_from_days(days);
            format!("{y:04}-{m:02}-{d:02}")
        });
        (date, time)
    }

    /// The line in the engine's shape: `at` in milliseconds, and a status named by
    /// one of `statusId` / `statusApiName` given the other from the catalog.
    pub(crate) fn prepare(&self, value: &mut Value) -> Result<(), String> {
        let Some(obj) = value.as_object_mut() else {
            return Ok(());
        };
        if let Some(at) = obj.get("at") {
            if let Some(ms) = self.at(at)? {
                obj.insert("at".into(), ms);
            }
        }
        let text = |key: &str| obj.get(key).and_then(Value::as_str).map(str::to_string);
        let (id, name) = (text("statusId"), text("statusApiName"));
        match (&self.catalog, id, name) {
            (Some(catalog), None, Some(name)) => {
                let org = catalog.by_name(&name).ok_or_else(|| {
                    format!("the catalog has no status with the DeveloperName \"{name}\"")
                })?;
                obj.insert("statusId".into(), Value::from(org.id.clone()));
            }
            (Some(catalog), Some(id), None) => {
                let org = catalog.statuses.iter().find(|s| {
                    crate::rules::salesforce_id::same_id(&s.id, &id)
                });
                if let Some(org) = org {
                    obj.insert("statusApiName".into(), Value::from(org.developer_name.clone()));
                }
            }
            (None, None, Some(_)) => {
                return Err(
                    "the event names its status by statusApiName only: give the org's catalog with --catalog, which has the Ids, or write the statusId".into(),
                )
            }
            _ => {}
        }
        Ok(())
    }
}

/// `HH:MM`, `HH:MM:SS` or `HH:MM:SS.fff` as milliseconds after midnight.
fn clock(text: &str) -> Option<i64> {
    let (hms, fraction) = match text.split_once('.') {
        Some((hms, f)) => (hms, Some(f)),
        None => (text, None),
    };
    let parts: Vec<&str> = hms.split(':').collect();
    if !(2..=3).contains(&parts.len()) {
        return None;
    }
    let mut values = [0i64; 3];
    for (i, part) in parts.iter().enumerate() {
        if part.is_empty() || part.len() > 2 || !part.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        values[i] = part.parse().ok()?;
    }
    let [h, m, s] = values;
    if h > 23 || m > 59 || s > 59 || (fraction.is_some() && parts.len() != 3) {
        return None;
    }
    let millis = match fraction {
        None => 0,
        Some(f) if !f.is_empty() && f.chars().all(|c| c.is_ascii_digit()) => {
            format!("{f:0<3}")[..3].parse().ok()?
        }
        Some(_) => return None,
    };
    Some(((h * 60 + m) * 60 + s) * 1000 + millis)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn clock_times_are_on_the_stated_day_in_the_stated_zone() {
        let day = TraceReading::parse_day("2026-03-02").expect("a day");
        let paris = TraceReading {
            day,
            offset_minutes: 60,
            catalog: None,
        };
        // 2026-03-02T08:00:00Z is 1_772_438_400_000.
        assert_eq!(
            paris.at(&json!("09:00")),
            Ok(Some(json!(1_772_438_400_000u64)))
        );
        assert_eq!(
            paris.at(&json!("09:00:01.5")),
            Ok(Some(json!(1_772_438_401_500u64)))
        );
        assert_eq!(
            paris.at(&json!("2026-03-02T09:00:00")),
            Ok(Some(json!(1_772_438_400_000u64)))
        );
        assert_eq!(
            paris.at(&json!("2026-03-02T08:00:00Z")),
            Ok(Some(json!(1_772_438_400_000u64)))
        );
        assert_eq!(paris.at(&json!(5)), Ok(None));
        assert_eq!(
            paris.clock(1_772_438_400_000),
            (Some("2026-03-02".into()), "09:00:00.000".into())
        );
        let none = TraceReading::default();
        assert_eq!(none.at(&json!("08:00")), Ok(Some(json!(28_800_000u64))));
        assert_eq!(none.clock(16_620_000), (None, "04:37:00.000".into()));
        for bad in [
            "8",
            "24:00",
            "08:60",
            "08:00.5",
            "08:00:00.",
            "noon",
            "2026-02-30T08:00:00Z",
            "2026-12-07T08:00:0\u{e9}",
            "0\u{e9}:00",
        ] {
            assert!(none.at(&json!(bad)).is_err(), "{bad}");
        }
        // Before 1970 once the zone is applied: the day is missing.
        let east = TraceReading {
            offset_minutes: 120,
            ..TraceReading::default()
        };
        assert!(east.at(&json!("01:00")).is_err_and(|e| e.contains("--day")));
    }

    #[test]
    fn offsets_read_as_written() {
        for (text, minutes) in [
            ("UTC", 0),
            ("Z", 0),
            ("+01:00", 60),
            ("-0530", -330),
            ("+2", 120),
            ("UTC+05:45", 345),
        ] {
            assert_eq!(TraceReading::parse_offset(text), Some(minutes), "{text}");
        }
        for text in ["Europe/Paris", "+25:00", "+01:75", "", "1"] {
            assert_eq!(TraceReading::parse_offset(text), None, "{text}");
        }
    }
}
