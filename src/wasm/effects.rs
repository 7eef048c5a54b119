//! The runtime's effects on the bridges: carrying out the loop's commands (awaiting the
//! bridges' promises and feeding the results back) and reading both sides' presence for
//! a reconcile. Nothing here holds the runtime's state while JavaScript runs.

use super::bridge::{call, error_code};
use super::runtime::{push, Input, Shared};
use crate::read::PresenceRead;
use crate::rules::file::Side;
use crate::sync::Command;
use js_sys::Reflect;
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
            Command::Reconcile => read_presence(&shared),
        }
    }
}

/// Reads the presence on both sides, after a reload and on the first reconcile also the
/// open works and the status's channels, and queues the replies for the loop to read
/// (`crate::read`): each method's result as it resolved, `null` when it resolved
/// nothing, `{error: code}` when it failed.
pub(super) fn read_presence(shared: &Rc<Shared>) {
    let Ok(inner) = shared.inner.try_borrow() else {
        return;
    };
    let (host, telephony) = (inner.host.clone(), inner.telephony.clone());
    let first = !inner.sync.is_ready();
    drop(inner);
    let shared = shared.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let reply = js_sys::Object::new();
        let mut calls = vec![(&host, "getServicePresenceStatusId")];
        if first {
            calls.push((&host, "getServicePresenceStatusChannels"));
            calls.push((&host, "getAgentWorks"));
        }
        calls.push((&host, "getAgentWorkload"));
        calls.push((&telephony, "getState"));
        for (bridge, method) in calls {
            // A bridge without the method (an older host) leaves that part unread.
            if !Reflect::get(bridge, &method.into()).is_ok_and(|f| f.is_function()) {
                continue;
            }
            let value = match call(bridge, method, &[]).await {
                Ok(v) if v.is_undefined() => JsValue::NULL,
                Ok(v) => v,
                Err(e) => {
                    let failed = js_sys::Object::new();
                    let _ = Reflect::set(&failed, &"error".into(), &error_code(&e).into());
                    failed.into()
                }
            };
            let _ = Reflect::set(&reply, &method.into(), &value);
        }
        let read = PresenceRead::read(&JsValue::from(reply));
        push(&shared, Input::Read(Box::new(read)));
    });
}
