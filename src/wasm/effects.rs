//! The runtime's effects on the bridges: carrying out the loop's commands (awaiting the
//! bridges' promises and feeding the results back) and reading both sides' presence for
//! a reconcile. Nothing here holds the runtime's state while JavaScript runs.

use super::bridge::{call, error_code, number, text};
use super::runtime::{push, Input, Shared};
use crate::event::Event;
use crate::rules::file::Side;
use crate::sync::Command;
use std::rc::Rc;
use wasm_bindgen::JsValue;

pub(super) fn run_commands(shared: &Rc<Shared>, commands: Vec<Command>) {
    for command in commands {
        let shared = shared.clone();
        let Ok(inner) = shared.inner.try_borrow() else {
            continue;
        };
        let (host, telephony) = (inner.host.clone(), inner.telephony.clone());
        drop(inner);
        match command {
            Command::Execute { id, action, .. } => {
                wasm_bindgen_futures::spawn_local(async move {
                    let target = JsValue::from_str(action.target());
                    let result = match action.side() {
                        Side::Omni => call(&host, "setServicePresenceStatus", &[target]).await,
                        Side::Telephony => call(&telephony, "setState", &[target]).await,
                    };
                    push(
                        &shared,
                        Input::Result(id, result.err().map(|e| error_code(&e))),
                    );
                });
            }
            Command::Login { status_id } => {
                wasm_bindgen_futures::spawn_local(async move {
                    let _ = call(&host, "login", &[JsValue::from_str(&status_id)]).await;
                });
            }
            Command::Reconcile => read_presence(&shared, true),
        }
    }
}

/// Reads the presence on both sides and queues it as a reconcile.
pub(super) fn read_presence(shared: &Rc<Shared>, silent: bool) {
    let Ok(inner) = shared.inner.try_borrow() else {
        return;
    };
    let (host, telephony) = (inner.host.clone(), inner.telephony.clone());
    let previous = inner.sync.engine().state().workload.current_workload;
    drop(inner);
    let shared = shared.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let mut events = Vec::new();
        match call(&host, "getServicePresenceStatusId", &[]).await {
            Ok(status) if status.is_object() => {
                if let Some(status_id) = text(&status, "statusId") {
                    // The catalog is looked up only when Omni-Channel gives no name.
                    let name = text(&status, "statusApiName").or_else(|| {
                        let inner = shared.inner.try_borrow().ok()?;
                        let known = inner.sync.engine().rules().status_by_id(&status_id);
                        known.map(|s| s.developer_name.clone())
                    });
                    events.push(Event::StatusChanged {
                        status_id,
                        status_name: text(&status, "statusName"),
                        status_api_name: name.unwrap_or_default(),
                        channels: Vec::new(),
                        reason: None,
                    });
                }
            }
            Ok(_) => events.push(Event::Logout { reason: None }),
            Err(_) => {}
        }
        // Both sides' presence first, then the workload: the order Omni-Channel
        // reports them in.
        let mut workload = None;
        if let Ok(load) = call(&host, "getAgentWorkload", &[]).await {
            if let (Some(configured), Some(current)) = (
                number(&load, "configuredCapacity"),
                number(&load, "currentWorkload"),
            ) {
                workload = Some(Event::WorkloadChanged {
                    configured_capacity: configured,
                    previous_workload: previous,
                    new_workload: current,
                });
            }
        }
        if let Ok(state) = call(&telephony, "getState", &[]).await {
            if let Some(state) = state.as_string() {
                events.push(Event::TelephonyStateChanged {
                    old_state: None,
                    new_state: state,
                });
            }
        }
        events.extend(workload);
        push(&shared, Input::Read(events, silent));
    });
}
