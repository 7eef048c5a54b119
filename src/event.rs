//! The normalised event: the eight Lightning `omniChannel*` events (and their Classic
//! `PRESENCE.*` twins) plus the telephony agent state change, parsed from the JSON the
//! shim forwards. Parsing is lenient about extra fields (newer Salesforce releases add
//! some) and strict about the ones we read: a malformed event is refused whole.

use crate::error::{Error, Finding};
use crate::node::{self, Node, Shape};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::borrow::Cow;

/// The most characters any string of an event may have (status names and Ids, work
/// Ids, states, reasons): docs/runtime.md, "Limits".
pub const MAX_EVENT_STRING: usize = 1_000;
/// The most service channels a status change may list.
pub const MAX_EVENT_CHANNELS: usize = 100;

/// A service channel as the StatusChanged payload lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Channel {
    pub channel_id: String,
    pub developer_name: String,
}

/// The payload shared by the four work events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkRef {
    pub work_item_id: String,
    pub work_id: String,
    /// DeveloperName of the service channel when the host knows it.
    pub service_channel: Option<String>,
}

/// Which of the work events it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkEvent {
    Assigned,
    Accepted,
    Declined,
    Closed,
}

/// One normalised event.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    LoginSuccess {
        status_id: String,
    },
    StatusChanged {
        status_id: String,
        status_name: Option<String>,
        status_api_name: String,
        channels: Vec<Channel>,
        reason: Option<String>,
    },
    Logout {
        reason: Option<String>,
    },
    Work {
        kind: WorkEvent,
        work: WorkRef,
    },
    WorkloadChanged {
        configured_capacity: f64,
        previous_workload: f64,
        new_workload: f64,
    },
    TelephonyStateChanged {
        old_state: Option<String>,
        new_state: String,
    },
    /// The agent has been logged in with no workload and no event for the configured
    /// idle time (`options.sync.idleAfterMs`); made by the sync loop's idle timer.
    Idle {
        idle_ms: u64,
    },
}

/// Defines [`EventKind`] from one table: each kind's canonical name (its serde name,
/// [`EventKind::name`], the rule trigger) and, for the Omni-Channel events, its
/// Lightning name (without the `lightning:` namespace) and its Classic console name.
/// Every list and lookup below is generated from this table, so a name is written once.
macro_rules! event_kinds {
    ($($(#[$doc:meta])* $kind:ident = $name:literal $(, $lightning:literal, $classic:literal)?;)*) => {
        /// The event type without its payload; also the rule trigger.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
        pub enum EventKind {
            $($(#[$doc])* #[serde(rename = $name)] $kind,)*
        }

        impl EventKind {
            /// Every kind, in declaration order.
            pub const ALL: &'static [EventKind] = &[$(EventKind::$kind),*];

            /// The canonical names, in the order of [`EventKind::ALL`].
            const NAMES: &'static [&'static str] = &[$($name),*];

            /// The canonical name, as used in rules and traces.
            pub fn name(self) -> &'static str {
                match self {
                    $(EventKind::$kind => $name,)*
                }
            }

            /// The kind of a name without namespace: canonical, Lightning or Classic.
            fn from_bare(bare: &str) -> Option<EventKind> {
                match bare {
                    $($name $(| $lightning | $classic)? => Some(EventKind::$kind),)*
                    _ => None,
                }
            }

            /// (Lightning name, Classic name) of an Omni-Channel event.
            #[cfg(test)]
            fn aliases(self) -> Option<(&'static str, &'static str)> {
                match self {
                    $($(EventKind::$kind => Some(($lightning, $classic)),)?)*
                    _ => None,
                }
            }
        }
    };
}

event_kinds! {
    LoginSuccess = "omni.loginSuccess", "omniChannelLoginSuccess", "PRESENCE.LOGIN_SUCCESS";
    StatusChanged = "omni.statusChanged", "omniChannelStatusChanged", "PRESENCE.STATUS_CHANGED";
    Logout = "omni.logout", "omniChannelLogout", "PRESENCE.LOGOUT";
    WorkAssigned = "omni.workAssigned", "omniChannelWorkAssigned", "PRESENCE.WORK_ASSIGNED";
    WorkAccepted = "omni.workAccepted", "omniChannelWorkAccepted", "PRESENCE.WORK_ACCEPTED";
    WorkDeclined = "omni.workDeclined", "omniChannelWorkDeclined", "PRESENCE.WORK_DECLINED";
    WorkClosed = "omni.workClosed", "omniChannelWorkClosed", "PRESENCE.WORK_CLOSED";
    WorkloadChanged = "omni.workloadChanged", "omniChannelWorkloadChanged", "PRESENCE.WORKLOAD_CHANGED";
    TelephonyStateChanged = "telephony.stateChanged";
    Idle = "timer.idle";
}

impl EventKind {
    /// Accepts the canonical name, the Lightning name (with or without the
    /// `lightning:` namespace) and the Classic `PRESENCE.*` name.
    pub fn from_name(name: &str) -> Option<EventKind> {
        let bare = name.strip_prefix("lightning:").unwrap_or(name);
        // The guide spells the Classic names both `sforce.console.ConsoleEvent.PRESENCE.*`
        // and `sfconsole.ConsoleEvent.PRESENCE.*`.
        let bare = bare
            .strip_prefix("sforce.console.ConsoleEvent.")
            .or_else(|| bare.strip_prefix("sfconsole.ConsoleEvent."))
            .unwrap_or(bare);
        EventKind::from_bare(bare)
    }

    /// Every canonical event name, in the order of [`EventKind::ALL`]: the vocabulary
    /// hosts and rules use.
    pub fn names() -> &'static [&'static str] {
        EventKind::NAMES
    }

    /// True for the four work item events.
    pub fn is_work(self) -> bool {
        matches!(
            self,
            EventKind::WorkAssigned
                | EventKind::WorkAccepted
                | EventKind::WorkDeclined
                | EventKind::WorkClosed
        )
    }
}

impl Event {
    pub fn kind(&self) -> EventKind {
        match self {
            Event::LoginSuccess { .. } => EventKind::LoginSuccess,
            Event::StatusChanged { .. } => EventKind::StatusChanged,
            Event::Logout { .. } => EventKind::Logout,
            Event::Work { kind, .. } => match kind {
                WorkEvent::Assigned => EventKind::WorkAssigned,
                WorkEvent::Accepted => EventKind::WorkAccepted,
                WorkEvent::Declined => EventKind::WorkDeclined,
                WorkEvent::Closed => EventKind::WorkClosed,
            },
            Event::WorkloadChanged { .. } => EventKind::WorkloadChanged,
            Event::TelephonyStateChanged { .. } => EventKind::TelephonyStateChanged,
            Event::Idle { .. } => EventKind::Idle,
        }
    }

    /// Parses one event from its JSON text.
    pub fn from_json_str(text: &str) -> Result<Event, Error> {
        let value: Value = serde_json::from_str(text).map_err(|e| {
            invalid(
                "event.notAnObject",
                "$",
                format!("the event is not valid JSON: {e}"),
            )
        })?;
        Event::from_value(&value)
    }

    /// Parses one event from a JSON value: `{"type": ..., payload fields...}`.
    pub fn from_value(value: &Value) -> Result<Event, Error> {
        Event::read(&Cow::Borrowed(value))
    }

    /// Reads one event from any document node (a JSON value, or a JavaScript object
    /// in the browser).
    pub fn read<N: Node>(event: &N) -> Result<Event, Error> {
        // Asked only when there is no type: the common case reads fields and nothing else.
        let type_name = text(event, "type").map_err(|missing| match event.is_object() {
            true => missing,
            false => invalid(
                "event.notAnObject",
                "$",
                "an event must be a JSON object with a \"type\"",
            ),
        })?;
        let kind = EventKind::from_name(&type_name).ok_or_else(|| {
            invalid(
                "event.unknownType",
                "$.type",
                format!(
                    "unknown event type \"{type_name}\"; expected one of {}",
                    EventKind::names().join(", ")
                ),
            )
        })?;
        Ok(match kind {
            EventKind::LoginSuccess => Event::LoginSuccess {
                status_id: text(event, "statusId")?,
            },
            EventKind::StatusChanged => Event::StatusChanged {
                status_id: text(event, "statusId")?,
                status_name: optional_text(event, "statusName")?,
                status_api_name: text(event, "statusApiName")?,
                channels: channels(event)?,
                reason: optional_text(event, "reason")?,
            },
            EventKind::Logout => Event::Logout {
                reason: optional_text(event, "reason")?,
            },
            // Lightning names the fields in camelCase, the Classic PRESENCE.WORKLOAD_CHANGED
            // payload in PascalCase (as the Omni-Channel guide prints them).
            EventKind::WorkloadChanged => Event::WorkloadChanged {
                configured_capacity: number(
                    event,
                    either(event, "configuredCapacity", "ConfiguredCapacity"),
                )?,
                previous_workload: number(
                    event,
                    either(event, "previousWorkload", "PreviousWorkload"),
                )?,
                new_workload: number(event, either(event, "newWorkload", "NewWorkload"))?,
            },
            EventKind::Idle => Event::Idle {
                idle_ms: number(event, "idleMs")? as u64,
            },
            EventKind::TelephonyStateChanged => Event::TelephonyStateChanged {
                old_state: optional_text(event, "oldState")?,
                new_state: text(event, "newState")?,
            },
            work => Event::Work {
                kind: match work {
                    EventKind::WorkAssigned => WorkEvent::Assigned,
                    EventKind::WorkAccepted => WorkEvent::Accepted,
                    EventKind::WorkDeclined => WorkEvent::Declined,
                    _ => WorkEvent::Closed,
                },
                work: WorkRef {
                    work_item_id: text(event, "workItemId")?,
                    work_id: text(event, "workId")?,
                    service_channel: optional_text(event, "serviceChannel")?,
                },
            },
        })
    }
}

/// The optional `at` of an event (ms): a number of at least zero.
pub fn event_time<N: Node>(event: &N) -> Result<Option<u64>, Error> {
    let Some(at) = event.get("at") else {
        return Ok(None);
    };
    if let Some(t) = at.number().filter(|t| t.is_finite() && *t >= 0.0) {
        return Ok(Some(t as u64));
    }
    match at.shape() {
        Shape::Null => Ok(None),
        other => Err(invalid(
            "event.invalidField",
            "$.at",
            format!(
                "\"at\" must be a time in milliseconds of at least 0, found {}",
                other.name()
            ),
        )),
    }
}

/// The key the payload uses: the camelCase one when present, else the PascalCase one
/// when present, else the camelCase one (so a missing field is named as Lightning does).
fn either<N: Node>(event: &N, camel: &'static str, pascal: &'static str) -> &'static str {
    if event.get(camel).is_none() && event.get(pascal).is_some() {
        pascal
    } else {
        camel
    }
}

fn invalid(code: &'static str, path: &str, message: impl Into<String>) -> Error {
    Error::InvalidEvent(Finding::new(code, path, message))
}

fn optional_text<N: Node>(event: &N, key: &'static str) -> Result<Option<String>, Error> {
    let Some(value) = event.get(key) else {
        return Ok(None);
    };
    let path = || format!("$.{key}");
    if let Some(text) = capped_text(&value, &path)? {
        return Ok(Some(text));
    }
    match value.shape() {
        Shape::Null => Ok(None),
        Shape::Text(s) => Ok(Some(within(s, &path)?)),
        other => Err(invalid(
            "event.invalidField",
            &format!("$.{key}"),
            format!("\"{key}\" must be a string, found {}", other.name()),
        )),
    }
}

/// Where a field is, written only for an error: the common case formats nothing.
type Path<'a> = &'a dyn Fn() -> String;

/// The text of a string node of at most [`MAX_EVENT_STRING`] characters; a longer one
/// is refused (`event.tooLarge`), when it can be, before it is copied.
fn capped_text<N: Node>(value: &N, path: Path) -> Result<Option<String>, Error> {
    // A character is one or two UTF-16 units: past twice the limit it is too long.
    if value.text_units().is_some_and(|n| n > 2 * MAX_EVENT_STRING) {
        return Err(too_long(path));
    }
    value.text().map(|t| within(t, path)).transpose()
}

fn within(text: String, path: Path) -> Result<String, Error> {
    if text.len() > MAX_EVENT_STRING && text.chars().count() > MAX_EVENT_STRING {
        return Err(too_long(path));
    }
    Ok(text)
}

fn too_long(path: Path) -> Error {
    let path = path();
    invalid(
        "event.tooLarge",
        &path,
        format!("{path} is longer than {MAX_EVENT_STRING} characters, the limit for a string in an event"),
    )
}

fn text<N: Node>(event: &N, key: &'static str) -> Result<String, Error> {
    optional_text(event, key)?.ok_or_else(|| {
        invalid(
            "event.missingField",
            &format!("$.{key}"),
            format!("the event has no \"{key}\""),
        )
    })
}

/// Omni-Channel sends workload numbers as numbers or as strings: accept both, refuse
/// anything that is not a finite number of at least zero.
fn number<N: Node>(event: &N, key: &'static str) -> Result<f64, Error> {
    let path = || format!("$.{key}");
    let value = event.get(key);
    if let Some(n) = value.as_ref().and_then(N::number) {
        if n.is_finite() && n >= 0.0 {
            return Ok(n);
        }
    }
    let shape = match value.map(|v| v.shape()) {
        None | Some(Shape::Null) => {
            return Err(invalid(
                "event.missingField",
                &path(),
                format!("the event has no \"{key}\""),
            ))
        }
        Some(shape @ (Shape::Number(_) | Shape::Text(_))) => shape,
        Some(other) => {
            return Err(invalid(
                "event.invalidField",
                &path(),
                format!(
                    "\"{key}\" must be a number or a numeric string, found {}",
                    other.name()
                ),
            ))
        }
    };
    match node::number(&shape) {
        Some(n) if n >= 0.0 => Ok(n),
        _ => Err(invalid(
            "event.invalidNumber",
            &path(),
            match shape {
                Shape::Text(t) => format!(
                    "\"{key}\" must be a number of at least 0 (a numeric string is fine), found \"{t}\""
                ),
                _ => format!("\"{key}\" must be a number of at least 0"),
            },
        )),
    }
}

/// `channels` arrives as an array or, in the Lightning payload, as a JSON string.
fn channels<N: Node>(event: &N) -> Result<Vec<Channel>, Error> {
    let refuse = |why: String| invalid("event.invalidField", "$.channels", why);
    let channels = event.get("channels");
    // The longest JSON text a list within the limits can take.
    let longest = MAX_EVENT_CHANNELS * (2 * MAX_EVENT_STRING + 64);
    if channels
        .as_ref()
        .and_then(N::text_units)
        .is_some_and(|n| n > longest)
    {
        return Err(invalid(
            "event.tooLarge",
            "$.channels",
            format!("\"channels\" is longer than {longest} characters of JSON, more than {MAX_EVENT_CHANNELS} channels can take"),
        ));
    }
    let list = match channels.map(|v| v.shape()) {
        None | Some(Shape::Null) => return Ok(Vec::new()),
        Some(Shape::Text(s)) if s.trim().is_empty() => return Ok(Vec::new()),
        Some(Shape::Text(s)) => N::parse(&s)
            .map_err(|e| refuse(format!("\"channels\" is not valid JSON: {e}")))?
            .shape(),
        Some(other) => other,
    };
    let Shape::List(items) = list else {
        return Err(refuse(format!(
            "\"channels\" must be a list of {{channelId, developerName}}, found {}",
            list.name()
        )));
    };
    if items.len() > MAX_EVENT_CHANNELS {
        return Err(invalid(
            "event.tooLarge",
            "$.channels",
            format!(
                "\"channels\" lists {} channels; the limit is {MAX_EVENT_CHANNELS}",
                items.len()
            ),
        ));
    }
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let field = |key: &'static str| -> Result<Option<String>, Error> {
                match item.get(key) {
                    Some(v) => capped_text(&v, &|| format!("$.channels[{i}].{key}")),
                    None => Ok(None),
                }
            };
            match (field("channelId")?, field("developerName")?) {
                (Some(channel_id), Some(developer_name)) => Ok(Channel {
                    channel_id,
                    developer_name,
                }),
                _ => Err(refuse(
                    "each channel must have the strings channelId and developerName".into(),
                )),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests;
