//! One agent's rows (sorted by time) as the events both systems sent, one row at a
//! time: presence records become logins, status changes and logouts; repeated phone
//! states are dropped; AgentWork with a weight changes the workload from assignment
//! to decline or close, as Omni-Channel counts it.
//!
//! Streamed: a step leaves as soon as nothing can come before it, so memory is a few
//! seconds of one agent's history, not the history. Only a presence record's end holds
//! steps back: whether it was a logout is known once no record starts within
//! [`JOIN_MS`], and the logout then goes before the steps after its time.

use super::record::{Kind, Rec};
use super::shared::Shared as Inputs;
use crate::action::Side;
use crate::event::{Event, WorkEvent, WorkRef};
use std::collections::HashMap;
use std::rc::Rc;

/// A presence record that ends this close to the next one's start is a change of
/// status, not a logout and a login.
pub(crate) const JOIN_MS: u64 = 2_000;
/// The reason an agent's own Omni change carries in the replay.
const MANUAL: &str = "OmniManualStatusChange";

/// One event of the merged timeline; `change` when it changes a side's status: the
/// side and the status DeveloperName (`Offline` for a logout) or phone state. Events
/// and names are shared: the same status change is built once per agent.
#[derive(Debug, Clone)]
pub(crate) struct Step {
    pub(crate) at: u64,
    pub(crate) event: Rc<Event>,
    pub(crate) change: Option<(Side, Rc<str>)>,
}

/// An event built once, and the name of the status it changes to.
type Shared = (Rc<Event>, Rc<str>);

pub(crate) struct Timeline {
    /// Events and names built so far, by (kind, a, b) of the row they came from.
    events: HashMap<(u8, u32, u32), Shared>,
    logged_in: bool,
    omni: Option<u32>,
    /// The end of the last presence record, while it is not known to be a logout.
    ended: Option<u64>,
    phone: Option<u32>,
    capacity: f64,
    workload: f64,
    weights: HashMap<u64, f64>,
    /// Steps that may still have a logout put before them (in time order).
    held: Vec<Step>,
}

impl Timeline {
    pub(crate) fn new() -> Timeline {
        Timeline {
            events: HashMap::new(),
            logged_in: false,
            omni: None,
            ended: None,
            phone: None,
            capacity: 0.0,
            workload: 0.0,
            weights: HashMap::new(),
            held: Vec::new(),
        }
    }

    /// Takes the next row (rows come in the sorter's order); `out` gets every step
    /// nothing can come before any more, in time order.
    pub(crate) fn push(&mut self, r: &Rec, shared: &Inputs<'_>, out: &mut impl FnMut(Step)) {
        if let Some(end) = self.ended.filter(|end| r.at > end + JOIN_MS) {
            self.logout(end);
            self.ended = None;
            self.logged_in = false;
        }
        self.row(r, shared);
        // Later rows are at `r.at` or after; a pending logout goes after the steps of
        // its own time.
        let ready = self.ended.map_or(r.at, |end| end.min(r.at));
        let n = self.held.partition_point(|s| s.at <= ready);
        self.held.drain(..n).for_each(&mut *out);
    }

    /// No more rows: a record still open ended with a logout.
    pub(crate) fn finish(&mut self, out: &mut impl FnMut(Step)) {
        if let Some(end) = self.ended.take() {
            self.logout(end);
        }
        self.held.drain(..).for_each(out);
    }

    fn logout(&mut self, at: u64) {
        let (event, name) = self.shared_event(Kind::Logout as u8, 0, 0, || {
            (Event::Logout { reason: None }, "Offline".into())
        });
        let i = self.held.partition_point(|s| s.at <= at);
        let step = Step {
            at,
            event,
            change: Some((Side::Omni, name)),
        };
        self.held.insert(i, step);
    }

    /// The event (and name) a row makes, built the first time it is seen.
    fn shared_event(
        &mut self,
        kind: u8,
        a: u32,
        b: u32,
        make: impl FnOnce() -> (Event, String),
    ) -> Shared {
        let (event, name) = self.events.entry((kind, a, b)).or_insert_with(|| {
            let (event, name) = make();
            (Rc::new(event), name.into())
        });
        (Rc::clone(event), Rc::clone(name))
    }

    fn step(&mut self, at: u64, event: Rc<Event>, change: Option<(Side, Rc<str>)>) {
        self.held.push(Step { at, event, change });
    }

    fn row(&mut self, r: &Rec, shared: &Inputs<'_>) {
        match r.kind {
            Kind::OmniEnd => self.ended = Some(r.at),
            Kind::OmniStart | Kind::Login | Kind::Status => {
                let Some(s) = shared.statuses.get(r.a as usize) else {
                    return;
                };
                self.ended = None;
                if self.logged_in && self.omni == Some(r.a) && r.kind == Kind::OmniStart {
                    return; // one status in two records
                }
                let login = !self.logged_in && r.kind != Kind::Status;
                // As the replay feeds an agent's change: made by hand (the old sync's own
                // reason would make the loop take it for its write; the attribution
                // does not read reasons).
                let given = shared.names.name(r.b);
                let reason =
                    if r.kind == Kind::Status && r.b != 0 && given != crate::sync::TOOLKIT_REASON {
                        r.b
                    } else {
                        0
                    };
                let key = if login { (0, r.a, 0) } else { (1, r.a, reason) };
                let (event, name) = self.shared_event(u8::MAX - key.0, key.1, key.2, || {
                    let event = if login {
                        Event::LoginSuccess {
                            status_id: s.id.clone(),
                        }
                    } else {
                        Event::StatusChanged {
                            status_id: s.id.clone(),
                            status_name: None,
                            status_api_name: s.name.clone(),
                            channels: Vec::new(),
                            reason: Some(if reason == 0 { MANUAL } else { given }.to_string()),
                        }
                    };
                    (event, s.name.clone())
                });
                self.logged_in = true;
                self.omni = Some(r.a);
                self.step(r.at, event, Some((Side::Omni, name)));
            }
            Kind::Logout => {
                self.ended = None;
                if self.logged_in {
                    self.logout(r.at);
                }
                self.logged_in = false;
            }
            Kind::Phone => {
                if self.phone == Some(r.a) {
                    return;
                }
                let old = self.phone.map_or(0, |p| p + 1);
                let previous = self.phone;
                let (event, name) = self.shared_event(Kind::Phone as u8, r.a, old, || {
                    let new_state = shared.names.name(r.a).to_string();
                    let event = Event::TelephonyStateChanged {
                        old_state: previous.map(|p| shared.names.name(p).to_string()),
                        new_state: new_state.clone(),
                    };
                    (event, new_state)
                });
                self.step(r.at, event, Some((Side::Telephony, name)));
                self.phone = Some(r.a);
            }
            Kind::WorkAssigned | Kind::WorkAccepted | Kind::WorkDeclined | Kind::WorkClosed => {
                self.work(r, shared)
            }
            Kind::Workload => {
                let (cap, previous) = (f32::from_bits(r.a), f32::from_bits(r.b));
                self.workload = f64::from_bits(r.x);
                let event = Event::WorkloadChanged {
                    configured_capacity: f64::from(cap),
                    previous_workload: f64::from(previous),
                    new_workload: self.workload,
                };
                self.step(r.at, Rc::new(event), None);
            }
            Kind::Capacity => self.capacity = f64::from(f32::from_bits(r.a)),
        }
    }

    fn work(&mut self, r: &Rec, shared: &Inputs<'_>) {
        let kind = match r.kind {
            Kind::WorkAssigned => WorkEvent::Assigned,
            Kind::WorkAccepted => WorkEvent::Accepted,
            Kind::WorkDeclined => WorkEvent::Declined,
            _ => WorkEvent::Closed,
        };
        let id = format!("{:016x}", r.x);
        let names = shared.names;
        let event = Event::Work {
            kind,
            work: WorkRef {
                work_item_id: id.clone(),
                work_id: id,
                service_channel: (r.a != 0).then(|| names.name(r.a).to_string()),
            },
        };
        self.step(r.at, Rc::new(event), None);
        let weight = f64::from(f32::from_bits(r.b));
        let previous = self.workload;
        match kind {
            WorkEvent::Assigned if weight.is_finite() => {
                self.weights.insert(r.x, weight);
                self.workload += weight;
            }
            WorkEvent::Declined | WorkEvent::Closed => {
                if let Some(w) = self.weights.remove(&r.x) {
                    self.workload = (self.workload - w).max(0.0);
                }
            }
            _ => {}
        }
        if self.workload != previous {
            let event = Event::WorkloadChanged {
                configured_capacity: self.capacity,
                previous_workload: previous,
                new_workload: self.workload,
            };
            self.step(r.at, Rc::new(event), None);
        }
    }
}
