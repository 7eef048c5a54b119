//! What the host read back when the sync loop asked for a reconcile, and the events it
//! stands for. The reply is one object keyed by the bridge method that produced each
//! part (the reads of [`crate::toolkit`]), each value exactly as the method resolved (Lightning) or called back
//! (Classic, with its `success` flag), or `{"error": code}` when the call failed:
//!
//! ```json
//! {"getServicePresenceStatusId": {"statusId": "0N5...", "statusApiName": "Available"},
//!  "getServicePresenceStatusChannels": {"channels": "[{\"channelId\": ..., \"developerName\": ...}]"},
//!  "getAgentWorkload": {"configuredCapacity": 5, "currentWorkload": 2},
//!  "getAgentWorks": {"works": "[{\"workItemId\": ..., \"workId\": ..., \"isEngaged\": true}]"},
//!  "getState": "Available"}
//! ```
//!
//! A status read that resolves `null` is the definite "not logged in" answer; a failed
//! status read says nothing about the agent and never counts as a logout. A method the
//! host does not have is simply absent.

use crate::event::{Channel, Event, WorkEvent, WorkRef};
use crate::model::AgentState;
use crate::node::{self, Node, Shape};
use crate::rules::CompiledRules;
use crate::toolkit::ToolkitCommand;

/// The status part of a read.
#[derive(Debug, Clone, PartialEq)]
pub enum StatusRead {
    LoggedIn {
        status_id: String,
        status_name: Option<String>,
        status_api_name: Option<String>,
    },
    /// The definite answer "this agent is not logged in to Omni-Channel".
    NotLoggedIn,
    /// The read failed (rejected, timed out, `success: false`, malformed).
    Failed(String),
    /// The host was not asked or has no such method.
    NotRead,
}

/// One item of `getAgentWorks`: open in the agent's workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenWork {
    pub work_id: String,
    pub work_item_id: String,
    pub engaged: bool,
}

/// A whole reconcile reply, read.
#[derive(Debug, Clone, PartialEq)]
pub struct PresenceRead {
    pub status: StatusRead,
    pub channels: Option<Vec<Channel>>,
    /// `(configuredCapacity, currentWorkload)`.
    pub workload: Option<(f64, f64)>,
    pub works: Option<Vec<OpenWork>>,
    pub telephony: Option<String>,
    /// `(method, code)` of every part that failed.
    pub failures: Vec<(&'static str, String)>,
}

const STATUS: &str = ToolkitCommand::ReadStatus.method();
const CHANNELS: &str = ToolkitCommand::ReadChannels.method();
const WORKLOAD: &str = ToolkitCommand::ReadWorkload.method();
const WORKS: &str = ToolkitCommand::ReadWorks.method();
const PHONE: &str = ToolkitCommand::ReadPhoneState.method();

impl PresenceRead {
    /// Reads a reply; never fails: what cannot be read is a failure of that part.
    pub fn read<N: Node>(reply: &N) -> PresenceRead {
        let mut failures = Vec::new();
        let mut part = |method: &'static str| -> Option<Option<N>> {
            let value = reply.get(method)?;
            match failure(&value) {
                Some(code) => {
                    failures.push((method, code));
                    None
                }
                None => Some(match value.shape() {
                    Shape::Null => None,
                    _ => Some(value),
                }),
            }
        };
        let status_part = part(STATUS);
        let channels_part = part(CHANNELS);
        let workload_part = part(WORKLOAD);
        let works_part = part(WORKS);
        let phone_part = part(PHONE);
        let status = match status_part {
            None if failures.iter().any(|(m, _)| *m == STATUS) => {
                let code = failures.iter().find(|(m, _)| *m == STATUS);
                StatusRead::Failed(code.map(|(_, c)| c.clone()).unwrap_or_default())
            }
            None => StatusRead::NotRead,
            Some(None) => StatusRead::NotLoggedIn,
            Some(Some(v)) => match v.get("statusId").and_then(|s| s.text()) {
                Some(id) if !id.is_empty() => StatusRead::LoggedIn {
                    status_id: id,
                    status_name: v.get("statusName").and_then(|s| s.text()),
                    status_api_name: v.get("statusApiName").and_then(|s| s.text()),
                },
                // A successful answer without a status: Classic's way of saying so.
                _ if v.get("success").is_some() => StatusRead::NotLoggedIn,
                _ => {
                    failures.push((STATUS, "malformed".into()));
                    StatusRead::Failed("malformed".into())
                }
            },
        };
        let mut malformed = |method| failures.push((method, "malformed".to_string()));
        let channels = channels_part.map(|v| {
            let list = v.and_then(|v| list_of(&v, "channels"));
            let read = list.map(|items| {
                items
                    .iter()
                    .filter_map(|c| {
                        Some(Channel {
                            channel_id: c.get("channelId")?.text()?,
                            developer_name: c.get("developerName")?.text()?,
                        })
                    })
                    .collect()
            });
            read.unwrap_or_default()
        });
        let workload = match workload_part {
            Some(Some(v)) => {
                let n = |k| v.get(k).and_then(|x| node::number(&x.shape()));
                match (n("configuredCapacity"), n("currentWorkload")) {
                    (Some(c), Some(w)) if c >= 0.0 && w >= 0.0 => Some((c, w)),
                    _ => {
                        malformed(WORKLOAD);
                        None
                    }
                }
            }
            _ => None,
        };
        let works = match works_part {
            Some(Some(v)) => match list_of(&v, "works") {
                Some(items) => Some(
                    items
                        .iter()
                        .filter_map(|w| {
                            Some(OpenWork {
                                work_id: w.get("workId")?.text()?,
                                work_item_id: w.get("workItemId")?.text()?,
                                engaged: matches!(
                                    w.get("isEngaged").map(|e| e.shape()),
                                    Some(Shape::Bool(true))
                                ) || w.get("isEngaged").and_then(|e| e.text()).as_deref()
                                    == Some("true"),
                            })
                        })
                        .collect(),
                ),
                None => {
                    malformed(WORKS);
                    None
                }
            },
            Some(None) => Some(Vec::new()),
            None => None,
        };
        let telephony = phone_part
            .flatten()
            .and_then(|v| v.text().or_else(|| v.get("name").and_then(|n| n.text())));
        PresenceRead {
            status,
            channels,
            workload,
            works,
            telephony,
            failures,
        }
    }

    /// The events this read stands for, in the order Omni-Channel reports them: the
    /// status (with its channels), the phone state, then, on the first read only, the
    /// open work items, and the workload. Work items open in the model but absent from
    /// the read were finished while nobody listened: they are closed.
    pub fn events(&self, state: &AgentState, rules: &CompiledRules, first: bool) -> Vec<Event> {
        let mut events = Vec::new();
        match &self.status {
            StatusRead::LoggedIn {
                status_id,
                status_name,
                status_api_name,
            } => {
                // The catalog is looked up only when Omni-Channel gives no name.
                let name = status_api_name.clone().or_else(|| {
                    rules
                        .status_by_id(status_id)
                        .map(|s| s.developer_name.clone())
                });
                events.push(Event::StatusChanged {
                    status_id: status_id.clone(),
                    status_name: status_name.clone(),
                    status_api_name: name.unwrap_or_default(),
                    channels: self.channels.clone().unwrap_or_default(),
                    reason: None,
                });
            }
            StatusRead::NotLoggedIn => events.push(Event::Logout { reason: None }),
            StatusRead::Failed(_) | StatusRead::NotRead => {}
        }
        if let Some(phone) = &self.telephony {
            events.push(Event::TelephonyStateChanged {
                old_state: None,
                new_state: phone.clone(),
            });
        }
        if let (true, Some(works), false) = (
            first,
            &self.works,
            matches!(self.status, StatusRead::NotLoggedIn),
        ) {
            for open in state.works.values().filter(|w| !w.status.is_finished()) {
                if !works.iter().any(|w| w.work_id == open.work_id) {
                    events.push(work(WorkEvent::Closed, &open.work_id, &open.work_item_id));
                }
            }
            for w in works {
                let known = state.works.get(&w.work_id).map(|k| k.status);
                use crate::model::WorkStatus::{Assigned, Opened};
                if known != Some(Assigned) && known != Some(Opened) {
                    events.push(work(WorkEvent::Assigned, &w.work_id, &w.work_item_id));
                }
                if w.engaged && known != Some(Opened) {
                    events.push(work(WorkEvent::Accepted, &w.work_id, &w.work_item_id));
                }
            }
        }
        if let Some((configured, current)) = self.workload {
            events.push(Event::WorkloadChanged {
                configured_capacity: configured,
                previous_workload: state.workload.current_workload,
                new_workload: current,
            });
        }
        events
    }
}

fn work(kind: WorkEvent, work_id: &str, work_item_id: &str) -> Event {
    Event::Work {
        kind,
        work: WorkRef {
            work_item_id: work_item_id.to_string(),
            work_id: work_id.to_string(),
            service_channel: None,
        },
    }
}

/// `{"error": code}` or a Classic `{"success": false}`: the code, else `None`.
fn failure<N: Node>(value: &N) -> Option<String> {
    if let Some(error) = value.get("error") {
        return Some(match error.shape() {
            Shape::Text(t) => t,
            _ => error
                .get("code")
                .and_then(|c| c.text())
                .unwrap_or_else(|| "rejected".into()),
        });
    }
    match value.get("success").map(|s| s.shape()) {
        Some(Shape::Bool(false)) => Some("rejected".into()),
        _ => None,
    }
}

/// A list the guide documents both ways: the Lightning promise resolves to the array,
/// the Classic callback (and the Lightning sample code) carry it as a JSON string in
/// `result.<key>`.
fn list_of<N: Node>(value: &N, key: &'static str) -> Option<Vec<N>> {
    let inner = match value.shape() {
        Shape::List(items) => return Some(items),
        Shape::Object => value.get(key)?,
        _ => return None,
    };
    match inner.shape() {
        Shape::List(items) => Some(items),
        Shape::Text(t) if t.trim().is_empty() => Some(Vec::new()),
        Shape::Text(t) => match N::parse(&t).ok()?.shape() {
            Shape::List(items) => Some(items),
            _ => None,
        },
        Shape::Null => Some(Vec::new()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::borrow::Cow;

    fn read(v: serde_json::Value) -> PresenceRead {
        PresenceRead::read(&Cow::Borrowed(&v))
    }

    #[test]
    fn null_is_not_logged_in_and_an_error_is_a_failure() {
        assert_eq!(
            read(json!({"getServicePresenceStatusId": null})).status,
            StatusRead::NotLoggedIn
        );
        let failed = read(json!({"getServicePresenceStatusId": {"error": "timeout"}}));
        assert_eq!(failed.status, StatusRead::Failed("timeout".into()));
        assert_eq!(failed.failures, vec![(STATUS, "timeout".to_string())]);
        let classic = read(json!({"getServicePresenceStatusId": {"success": false}}));
        assert_eq!(classic.status, StatusRead::Failed("rejected".into()));
        assert_eq!(read(json!({})).status, StatusRead::NotRead);
    }

    #[test]
    fn works_and_channels_as_json_strings_or_arrays() {
        let r = read(json!({
            "getAgentWorks": {"success": true, "works": "[{\"workItemId\":\"500a\",\"workId\":\"0Bza\",\"isEngaged\":true}]"},
            "getServicePresenceStatusChannels": [{"channelId": "0N9a", "developerName": "Cases"}]
        }));
        assert_eq!(
            r.works,
            Some(vec![OpenWork {
                work_id: "0Bza".into(),
                work_item_id: "500a".into(),
                engaged: true
            }])
        );
        assert_eq!(r.channels.unwrap()[0].developer_name, "Cases");
    }
}
