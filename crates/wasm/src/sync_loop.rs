//! `SyncLoop` for JavaScript: the pure sync loop (echoes, chains, queueing, retries,
//! ownership, deferral, start-up buffering, the idle timer) with time passed in and
//! commands returned as values, for hosts that carry out the effects themselves (a
//! server-side relay, a simulator, a test). `OmniSync.start` runs the same loop with the
//! browser's own timers and bridges. See docs/runtime.md.

use crate::errors::Thrown;
use crate::interop::{count_arg, headroom, new_loop, parse_json, read_event, time_or};
use crate::node::Js;
use omnisync::read::PresenceRead;
use omnisync::sync::SyncLoop as Loop;
use serde::Serialize;
use std::cell::RefCell;
use wasm_bindgen::prelude::*;

/// The sync loop for one agent; every call returns `{commands, decisions, log, wakeAt}`.
/// As `OmniSync`: methods take `&self`, read their arguments before borrowing the loop,
/// and run no JavaScript while it is borrowed (docs/runtime.md, "Re-entrancy and the
/// stack").
#[wasm_bindgen(js_name = SyncLoop)]
pub struct SyncLoopHandle {
    sync: RefCell<Loop>,
}

/// A time argument: a finite number of ms of at least 0, its fraction dropped
/// (`undefined` or `null`: 0, as before); anything else, a BigInt included, is
/// `options.invalid`.
fn ms(now: &JsValue) -> Result<u64, Thrown> {
    time_or(now, "now", || 0)
}

#[wasm_bindgen(js_class = SyncLoop)]
impl SyncLoopHandle {
    /// Builds the loop from rules (JSON text or object) and `{catalog?, context?, seed?}`
    /// (`catalog`: the org's ServicePresenceStatus records, as for `new OmniSync`).
    /// Throws like `new OmniSync` when the rules are refused (and `context.invalid`).
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "string | object")] rules: JsValue,
        #[wasm_bindgen(
            unchecked_param_type = "{catalog?: object[] | object, context?: object, seed?: number}"
        )]
        options: Option<JsValue>,
    ) -> Result<SyncLoopHandle, JsValue> {
        console_error_panic_hook::set_once();
        headroom();
        let sync = new_loop(&rules, &options.unwrap_or(JsValue::UNDEFINED))?;
        Ok(SyncLoopHandle {
            sync: RefCell::new(sync),
        })
    }

    /// Starts the loop: the first command asks the host for a reconcile read.
    #[wasm_bindgen(unchecked_return_type = "SyncOutput")]
    pub fn start(
        &self,
        #[wasm_bindgen(unchecked_param_type = "number")] now: JsValue,
    ) -> Result<JsValue, JsValue> {
        let now = ms(&now)?;
        self.with(|sync| sync.start(now))
    }

    /// The host's answer to a `reconcile` command: `{getServicePresenceStatusId,
    /// getServicePresenceStatusChannels, getAgentWorkload, getAgentWorks, getState}`,
    /// each as the bridge resolved it, `null` for "not logged in", `{error: code}` for
    /// a failed call.
    #[wasm_bindgen(unchecked_return_type = "SyncOutput")]
    pub fn read(
        &self,
        reply: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] now: JsValue,
    ) -> Result<JsValue, JsValue> {
        let now = ms(&now)?;
        let read = PresenceRead::read(&Js(reply.clone()));
        self.with(|sync| sync.read(&read, now))
    }

    /// One event from either side; a malformed event (or one past a limit) throws and
    /// changes nothing.
    #[wasm_bindgen(unchecked_return_type = "SyncOutput")]
    pub fn push(
        &self,
        #[wasm_bindgen(unchecked_param_type = "OmniSyncEvent | string")] event: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] now: JsValue,
    ) -> Result<JsValue, JsValue> {
        let now = ms(&now)?;
        let (event, _) = read_event(event)?;
        let text = {
            let mut sync = self.borrow()?;
            sync.engine().admit(&event).map_err(Thrown::from)?;
            serde_json::to_string(&sync.event(&event, now))
        };
        parse_json(text)
    }

    /// The result of an `execute` command: `error` is a code, or null on success
    /// (`connection` marks a lost Omni-Channel connection).
    #[wasm_bindgen(unchecked_return_type = "SyncOutput")]
    pub fn reply(
        &self,
        #[wasm_bindgen(unchecked_param_type = "number")] id: JsValue,
        error: Option<String>,
        #[wasm_bindgen(unchecked_param_type = "number")] now: JsValue,
    ) -> Result<JsValue, JsValue> {
        let id = count_arg(&id, "id")?.unwrap_or(0);
        let now = ms(&now)?;
        self.with(|sync| sync.result(id, error.as_deref(), now))
    }

    /// Runs what is due at `now`; call it at the last output's `wakeAt`.
    #[wasm_bindgen(unchecked_return_type = "SyncOutput")]
    pub fn tick(
        &self,
        #[wasm_bindgen(unchecked_param_type = "number")] now: JsValue,
    ) -> Result<JsValue, JsValue> {
        let now = ms(&now)?;
        self.with(|sync| sync.tick(now))
    }

    #[wasm_bindgen(unchecked_return_type = "AgentState")]
    pub fn state(&self) -> Result<JsValue, JsValue> {
        let text = serde_json::to_string(self.borrow()?.engine().state());
        parse_json(text)
    }

    /// Running totals: events, actions, echoes, deferred, retries...
    pub fn stats(&self) -> Result<JsValue, JsValue> {
        let text = serde_json::to_string(self.borrow()?.stats());
        parse_json(text)
    }

    /// The UserServicePresence records, the current one running to `now`.
    #[wasm_bindgen(unchecked_return_type = "Metrics")]
    pub fn metrics(
        &self,
        #[wasm_bindgen(unchecked_param_type = "number")] now: JsValue,
    ) -> Result<JsValue, JsValue> {
        let now = ms(&now)?;
        let text = serde_json::to_string(&self.borrow()?.engine().metrics(now));
        parse_json(text)
    }
}

impl SyncLoopHandle {
    /// The loop, after the stack check; `engine.busy` if a call is under way.
    fn borrow(&self) -> Result<std::cell::RefMut<'_, Loop>, JsValue> {
        headroom();
        self.sync.try_borrow_mut().map_err(|_| {
            Thrown::new(
                "engine.busy",
                "this SyncLoop is in the middle of another call: call again once it returns",
            )
            .into()
        })
    }

    /// Runs `step` on the borrowed loop and returns its output as JavaScript, parsed
    /// once the loop is released.
    fn with<T: Serialize>(&self, step: impl FnOnce(&mut Loop) -> T) -> Result<JsValue, JsValue> {
        let text = {
            let mut sync = self.borrow()?;
            serde_json::to_string(&step(&mut sync))
        };
        parse_json(text)
    }
}
