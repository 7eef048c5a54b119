//! One acting tab. With the Web Locks API, the tab holding the lock named after the
//! channel (scoped by org and user) leads; the lock is released when the tab closes or
//! crashes, and the next waiting tab is granted it at once. A lock taken away (another
//! page's `steal`) is noticed: this tab stops leading and queues for the lock again.
//! Without Web Locks, tabs announce themselves on a BroadcastChannel every second and
//! `omnisync::tabs::Election` says which leads (the oldest heard from lately).
//!
//! The same channel carries the leader's account of what it does ("acting", "done"),
//! so a follower counts an action as done only when a live leader confirms it. What
//! each of these means for the tab is decided in `omnisync::tabs`; this module only takes
//! the lock, speaks on the channel and turns what it hears into inputs.

use crate::inbox::{push, Input, Machine, Shared};
use gloo_timers::callback::Interval;
use js_sys::{Function, Promise, Reflect};
use omnisync::rules::file::Side;
use omnisync::tabs::Election;
use std::cell::RefCell;
use std::rc::{Rc, Weak};
use wasm_bindgen::prelude::*;

const HEARTBEAT_MS: u32 = 1_000;

pub(crate) struct Leadership {
    channel: Option<web_sys::BroadcastChannel>,
    _listener: Option<Closure<dyn FnMut(web_sys::MessageEvent)>>,
    /// While this tab leads, it says so every second ("alive").
    _alive: Option<Interval>,
    kind: Kind,
}

enum Kind {
    /// Resolving this releases the lock.
    Lock(Function),
    Heartbeat(Interval),
}

impl Leadership {
    pub(crate) fn start<S: Machine + 'static>(
        shared: &Rc<Shared<S>>,
        name: &str,
    ) -> Option<Leadership> {
        let channel = web_sys::BroadcastChannel::new(name).ok();
        let peers: Rc<RefCell<Election>> = Rc::default();
        let listener = channel.as_ref().map(|channel| {
            let listener = listen(shared, peers.clone());
            channel.set_onmessage(Some(listener.as_ref().unchecked_ref()));
            listener
        });
        let kind = match lock(shared, name) {
            Some(release) => Kind::Lock(release),
            None => Kind::Heartbeat(heartbeat(shared, channel.clone()?, peers)),
        };
        let alive = channel.clone().map(|channel| {
            let weak = Rc::downgrade(shared);
            Interval::new(HEARTBEAT_MS, move || {
                if weak.upgrade().is_some_and(|shared| shared.is_leading()) {
                    let message = js_sys::Object::new();
                    let _ = Reflect::set(&message, &"type".into(), &"alive".into());
                    let _ = channel.post_message(&message);
                }
            })
        });
        Some(Leadership {
            channel,
            _listener: listener,
            _alive: alive,
            kind,
        })
    }

    /// Tells the other tabs what this (leading) tab does: `acting` when it starts a
    /// write, `done` when the write succeeded.
    pub(crate) fn announce(&self, what: &str, side: Side, target: &str) {
        let Some(channel) = &self.channel else { return };
        let message = js_sys::Object::new();
        let _ = Reflect::set(&message, &"type".into(), &what.into());
        let _ = Reflect::set(&message, &"side".into(), &side.name().into());
        let _ = Reflect::set(&message, &"target".into(), &target.into());
        let _ = channel.post_message(&message);
    }

    pub(crate) fn release(self) {
        match self.kind {
            Kind::Lock(release) => {
                let _ = release.call0(&JsValue::NULL);
            }
            Kind::Heartbeat(beat) => drop(beat),
        }
        if let Some(channel) = self.channel {
            channel.set_onmessage(None);
            channel.close();
        }
    }
}

/// Heartbeats go to `peers`; a leader's "acting" and "done" become inputs.
fn listen<S: Machine + 'static>(
    shared: &Rc<Shared<S>>,
    peers: Rc<RefCell<Election>>,
) -> Closure<dyn FnMut(web_sys::MessageEvent)> {
    let weak = Rc::downgrade(shared);
    Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
        let data = event.data();
        let field = |key: &str| Reflect::get(&data, &key.into()).unwrap_or(JsValue::UNDEFINED);
        if field("type").as_string().as_deref() == Some("alive") {
            if let Some(shared) = weak.upgrade() {
                push(&shared, Input::Alive);
            }
            return;
        }
        if let (Some(what), Some(side), Some(target)) = (
            field("type").as_string(),
            field("side").as_string(),
            field("target").as_string(),
        ) {
            let side = match side.as_str() {
                "omni" => Side::Omni,
                "telephony" => Side::Telephony,
                _ => return,
            };
            let input = match what.as_str() {
                "acting" => Input::Acting(side, target),
                "done" => Input::Done(side, target),
                _ => return,
            };
            if let Some(shared) = weak.upgrade() {
                push(&shared, input);
            }
            return;
        }
        if let (Some(started), Some(id)) = (field("started").as_f64(), field("id").as_f64()) {
            peers.borrow_mut().heard((started, id), js_sys::Date::now());
        }
    })
}

/// Asks for the lock without waiting first, so a tab that will not lead knows it at
/// once; then queues for it. Returns the function that releases it.
fn lock<S: Machine + 'static>(shared: &Rc<Shared<S>>, name: &str) -> Option<Function> {
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
    let queue = Rc::new(Queue {
        shared: Rc::downgrade(shared),
        locks: locks.clone(),
        request: request.clone(),
        name: JsValue::from_str(name),
        held: held.clone(),
    });
    let waiting = queue.clone();
    let weak = Rc::downgrade(shared);
    let granted = Closure::<dyn FnMut(JsValue) -> JsValue>::new(move |lock: JsValue| {
        let Some(shared) = weak.upgrade() else {
            return JsValue::UNDEFINED;
        };
        if lock.is_null() {
            push(&shared, Input::Lock(false));
            waiting.clone().wait();
            return JsValue::UNDEFINED;
        }
        push(&shared, Input::Lock(true));
        held.clone().into()
    });
    let options = js_sys::Object::new();
    Reflect::set(&options, &"ifAvailable".into(), &JsValue::TRUE).ok()?;
    let asked = request
        .call3(
            &locks,
            &JsValue::from_str(name),
            &options,
            granted.as_ref().unchecked_ref(),
        )
        .ok()?;
    granted.forget();
    queue.on_loss(asked);
    let release = release.borrow_mut().take();
    release
}

/// Queueing for the lock, again whenever it is taken away.
struct Queue<S> {
    shared: Weak<Shared<S>>,
    locks: JsValue,
    request: Function,
    name: JsValue,
    held: Promise,
}

impl<S: Machine + 'static> Queue<S> {
    /// Waits for the lock; leads while it is held.
    fn wait(self: Rc<Self>) {
        let this = self.clone();
        let granted = Closure::once_into_js(move |_lock: JsValue| -> JsValue {
            if let Some(shared) = this.shared.upgrade() {
                push(&shared, Input::Lock(true));
            }
            this.held.clone().into()
        });
        let asked = self
            .request
            .call2(&self.locks, &self.name, granted.unchecked_ref());
        if let Ok(asked) = asked {
            self.on_loss(asked);
        }
    }

    /// The promise of a request rejects when the lock is stolen or the request is
    /// aborted: this tab no longer leads, and asks again (unless it was stopped).
    fn on_loss(self: Rc<Self>, asked: JsValue) {
        let Ok(asked) = asked.dyn_into::<Promise>() else {
            return;
        };
        let this = self.clone();
        let lost = Closure::once(move |_error: JsValue| {
            let Some(shared) = this.shared.upgrade() else {
                return;
            };
            if shared.is_stopped() {
                return;
            }
            push(&shared, Input::Lock(false));
            this.wait();
        });
        let _ = asked.catch(&lost);
        // Called at most once, when the lock is lost; kept until then.
        lost.forget();
    }
}

fn heartbeat<S: Machine + 'static>(
    shared: &Rc<Shared<S>>,
    sender: web_sys::BroadcastChannel,
    peers: Rc<RefCell<Election>>,
) -> Interval {
    let me = (js_sys::Date::now(), js_sys::Math::random());
    let weak = Rc::downgrade(shared);
    Interval::new(HEARTBEAT_MS, move || {
        let message = js_sys::Object::new();
        let _ = Reflect::set(&message, &"started".into(), &me.0.into());
        let _ = Reflect::set(&message, &"id".into(), &me.1.into());
        let _ = sender.post_message(&message);
        let leader = peers.borrow_mut().leads(me, js_sys::Date::now());
        if let Some(shared) = weak.upgrade() {
            push(&shared, Input::Lock(leader));
        }
    })
}
