//! One acting tab. With the Web Locks API, the tab holding the lock named after the
//! channel leads; the lock is released when the tab closes or crashes, and the next
//! waiting tab is granted it at once. Without Web Locks, tabs announce themselves on a
//! BroadcastChannel every second and the oldest tab heard from within the last 2.5 s
//! leads.

use super::runtime::{push, Input, Shared};
use gloo_timers::callback::Interval;
use js_sys::{Function, Promise, Reflect};
use std::cell::RefCell;
use std::rc::{Rc, Weak};
use wasm_bindgen::prelude::*;

const HEARTBEAT_MS: u32 = 1_000;
const SILENCE_MS: f64 = 2_500.0;

pub(super) enum Leadership {
    /// Resolving this releases the lock.
    Lock(Function),
    Heartbeat {
        channel: web_sys::BroadcastChannel,
        _beat: Interval,
        _listener: Closure<dyn FnMut(web_sys::MessageEvent)>,
    },
}

impl Leadership {
    pub(super) fn start(shared: &Rc<Shared>, name: &str) -> Option<Leadership> {
        lock(shared, name).or_else(|| heartbeat(shared, name))
    }

    pub(super) fn release(self) {
        match self {
            Leadership::Lock(release) => {
                let _ = release.call0(&JsValue::NULL);
            }
            Leadership::Heartbeat { channel, .. } => channel.close(),
        }
    }
}

fn lock(shared: &Rc<Shared>, name: &str) -> Option<Leadership> {
    let navigator = Reflect::get(&js_sys::global(), &"navigator".into()).ok()?;
    let locks = Reflect::get(&navigator, &"locks".into())
        .ok()
        .filter(|l| l.is_object())?;
    let request = Reflect::get(&locks, &"request".into())
        .ok()?
        .dyn_into::<Function>()
        .ok()?;
    // The lock is held as long as the promise returned to it is pending.
    let release: Rc<RefCell<Option<Function>>> = Rc::new(RefCell::new(None));
    let held = Promise::new(&mut |resolve, _| {
        *release.borrow_mut() = Some(resolve);
    });
    // First ask without waiting, so a tab that will not lead knows it at once;
    // then queue for the lock, to take over when the leader goes.
    let weak: Weak<Shared> = Rc::downgrade(shared);
    let (queue_locks, queue_request, queue_name) =
        (locks.clone(), request.clone(), JsValue::from_str(name));
    let granted = Closure::<dyn FnMut(JsValue) -> JsValue>::new(move |lock: JsValue| {
        let Some(shared) = weak.upgrade() else {
            return JsValue::UNDEFINED;
        };
        if lock.is_null() {
            push(&shared, Input::Leader(false));
            let held = held.clone();
            let weak = Rc::downgrade(&shared);
            let wait = Closure::<dyn FnMut(JsValue) -> Promise>::new(move |_lock: JsValue| {
                if let Some(shared) = weak.upgrade() {
                    push(&shared, Input::Leader(true));
                }
                held.clone()
            });
            let _ = queue_request.call2(&queue_locks, &queue_name, wait.as_ref().unchecked_ref());
            wait.forget();
            return JsValue::UNDEFINED;
        }
        push(&shared, Input::Leader(true));
        held.clone().into()
    });
    let options = js_sys::Object::new();
    Reflect::set(&options, &"ifAvailable".into(), &JsValue::TRUE).ok()?;
    request
        .call3(
            &locks,
            &JsValue::from_str(name),
            &options,
            granted.as_ref().unchecked_ref(),
        )
        .ok()?;
    granted.forget();
    let release = release.borrow_mut().take()?;
    Some(Leadership::Lock(release))
}

/// A tab heard on the channel: ((started, id), last heard).
type Peer = ((f64, f64), f64);

fn heartbeat(shared: &Rc<Shared>, name: &str) -> Option<Leadership> {
    let channel = web_sys::BroadcastChannel::new(name).ok()?;
    let me = (js_sys::Date::now(), js_sys::Math::random());
    // The oldest tab heard from recently, per tab: (started, id) -> last heard.
    let peers: Rc<RefCell<Vec<Peer>>> = Rc::new(RefCell::new(Vec::new()));
    let heard = peers.clone();
    let listener =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
            let data = event.data();
            let started = Reflect::get(&data, &"started".into())
                .ok()
                .and_then(|v| v.as_f64());
            let id = Reflect::get(&data, &"id".into())
                .ok()
                .and_then(|v| v.as_f64());
            if let (Some(started), Some(id)) = (started, id) {
                let mut peers = heard.borrow_mut();
                peers.retain(|(peer, _)| *peer != (started, id));
                peers.push(((started, id), js_sys::Date::now()));
            }
        });
    channel.set_onmessage(Some(listener.as_ref().unchecked_ref()));
    let weak = Rc::downgrade(shared);
    let sender = channel.clone();
    let beat = Interval::new(HEARTBEAT_MS, move || {
        let message = js_sys::Object::new();
        let _ = Reflect::set(&message, &"started".into(), &me.0.into());
        let _ = Reflect::set(&message, &"id".into(), &me.1.into());
        let _ = sender.post_message(&message);
        let now = js_sys::Date::now();
        let mut peers = peers.borrow_mut();
        peers.retain(|(_, last)| now - last < SILENCE_MS);
        let leader = peers.iter().all(|(peer, _)| me < *peer);
        if let Some(shared) = weak.upgrade() {
            push(&shared, Input::Leader(leader));
        }
    });
    Some(Leadership::Heartbeat {
        channel,
        _beat: beat,
        _listener: listener,
    })
}
