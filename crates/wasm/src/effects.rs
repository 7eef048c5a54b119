//! The runtime's effects on the bridges: carrying out the loop's commands (awaiting the
//! bridges' promises and feeding the results back) and reading both sides' presence for
//! a reconcile. Nothing here holds the runtime's state while JavaScript runs.

use crate::bridge::{error_code, start};
use crate::deadline::Deadline;
use crate::errors::Thrown;
use crate::inbox::{push, Input};
use crate::node::Js;
use crate::state::{Bridges, Shared};
use js_sys::Reflect;
use omnisync::action::Side;
use omnisync::read::PresenceRead;
use omnisync::sync::Command;
use omnisync::toolkit::{Arg, ToolkitCommand};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

/// Calls a bridge method like [`start`], but gives up after `ms`: a promise that never
/// settles becomes a failure with the code `timeout`, which the sync loop retries like
/// any other. A late answer to a call given up on is ignored. The call is made before
/// its deadline is set, and the timeout's `Error` is made only if it is reached.
fn call_within(
    ms: u32,
    object: &JsValue,
    method: &'static str,
    args: &[JsValue],
) -> impl Future<Output = Result<JsValue, JsValue>> {
    let answer = start(object, method, args);
    async move { First(answer?, Deadline::after(ms)).await }
}

/// Whichever comes first: the call's answer or its deadline.
struct First(JsFuture, Deadline);

impl Future for First {
    type Output = Result<JsValue, JsValue>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if let Poll::Ready(answer) = Pin::new(&mut self.0).poll(cx) {
            return Poll::Ready(answer);
        }
        Pin::new(&mut self.1)
            .poll(cx)
            .map(|()| Err(Thrown::new("timeout", "a bridge call did not answer in time").into()))
    }
}

/// The bridge a command is called on: the host bridge for Omni-Channel's.
fn bridge_of<'b>(
    command: ToolkitCommand,
    host: &'b JsValue,
    telephony: &'b JsValue,
) -> &'b JsValue {
    match command.side() {
        Side::Omni => host,
        Side::Telephony => telephony,
    }
}

pub(crate) fn run_commands(shared: &Rc<Shared>, commands: Vec<Command>) {
    for command in commands {
        let shared = shared.clone();
        let Ok(inner) = shared.inner.try_borrow() else {
            continue;
        };
        let Bridges {
            host,
            telephony,
            timeout_ms: ms,
        } = inner.bridges.clone();
        drop(inner);
        match command {
            Command::Execute { id, action, .. } => {
                wasm_bindgen_futures::spawn_local(async move {
                    let command = ToolkitCommand::of(&action);
                    let bridge = bridge_of(command, &host, &telephony);
                    // The table says whether the method takes the action's target.
                    let args = match command.arg() {
                        Arg::None => vec![],
                        Arg::StatusId | Arg::StateName => vec![JsValue::from_str(action.target())],
                    };
                    // The bridge is called here, before the first await.
                    let call = call_within(ms, bridge, command.method(), &args);
                    // The other tabs hear of it once the call is under way.
                    if let Ok(inner) = shared.inner.try_borrow() {
                        inner.announce("acting", &action);
                    }
                    let result = call.await;
                    if result.is_ok() {
                        if let Ok(inner) = shared.inner.try_borrow() {
                            inner.announce("done", &action);
                        }
                    }
                    push(
                        &shared,
                        Input::Result(id, result.err().map(|e| error_code(&e))),
                    );
                });
            }
            Command::Login { status_id } => {
                wasm_bindgen_futures::spawn_local(async move {
                    let login = ToolkitCommand::Login;
                    let bridge = bridge_of(login, &host, &telephony);
                    let status = [JsValue::from_str(&status_id)];
                    let _ = call_within(ms, bridge, login.method(), &status).await;
                });
            }
            Command::Reconcile => read_presence(&shared),
        }
    }
}

/// Reads the presence on both sides, after a reload and on the first reconcile also the
/// open works and the status's channels, and queues the replies for the loop to read
/// (`omnisync::read`): each method's result as it resolved, `null` when it resolved
/// nothing, `{error: code}` when it failed.
pub(crate) fn read_presence(shared: &Rc<Shared>) {
    let Ok(inner) = shared.inner.try_borrow() else {
        return;
    };
    let Bridges {
        host,
        telephony,
        timeout_ms: ms,
    } = inner.bridges.clone();
    let first = !inner.sync.is_running();
    let mark = inner.sync.read_mark();
    drop(inner);
    let shared = shared.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let reply = js_sys::Object::new();
        for command in ToolkitCommand::reads(first) {
            let (bridge, method) = (bridge_of(command, &host, &telephony), command.method());
            // A bridge without the method (an older host) leaves that part unread.
            if !Reflect::get(bridge, &method.into()).is_ok_and(|f| f.is_function()) {
                continue;
            }
            let value = match call_within(ms, bridge, method, &[]).await {
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
        let read = PresenceRead::read(&Js(JsValue::from(reply)));
        push(&shared, Input::Read(Box::new(read), mark));
    });
}
