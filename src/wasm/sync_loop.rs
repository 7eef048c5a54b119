//! `SyncLoop` for JavaScript: the pure sync loop (echoes, chains, queueing, retries,
//! ownership, deferral, start-up buffering, the idle timer) with time passed in and
//! commands returned as values, for hosts that carry out the effects themselves (a
//! server-side relay, a simulator, a test). `OmniSync.start` runs the same loop with the
//! browser's own timers and bridges. See docs/runtime.md.

use super::{compile, option, read_catalog, read_context, read_event, to_js};
use crate::engine::Engine;
use crate::read::PresenceRead;
use crate::sync::SyncLoop as Loop;
use wasm_bindgen::prelude::*;

/// The sync loop for one agent; every call returns `{commands, decisions, log, wakeAt}`.
#[wasm_bindgen(js_name = SyncLoop)]
pub struct SyncLoopHandle {
    sync: Loop,
}

fn ms(now: f64) -> u64 {
    if now.is_finite() && now > 0.0 {
        now as u64
    } else {
        0
    }
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
        let options = options.unwrap_or(JsValue::UNDEFINED);
        let catalog = read_catalog(&options)?;
        let mut engine = Engine::new(compile(&rules, catalog.as_ref())?);
        if let Some(context) = read_context(&options)? {
            engine.set_context(context);
        }
        let mut sync = Loop::new(engine);
        if let Some(seed) = option(&options, "seed").as_f64() {
            sync.seed(seed as u64);
        }
        Ok(SyncLoopHandle { sync })
    }

    /// Starts the loop: the first command asks the host for a reconcile read.
    #[wasm_bindgen(unchecked_return_type = "SyncOutput")]
    pub fn start(&mut self, now: f64) -> Result<JsValue, JsValue> {
        to_js(&self.sync.start(ms(now)))
    }

    /// The host's answer to a `reconcile` command: `{getServicePresenceStatusId,
    /// getServicePresenceStatusChannels, getAgentWorkload, getAgentWorks, getState}`,
    /// each as the bridge resolved it, `null` for "not logged in", `{error: code}` for
    /// a failed call.
    #[wasm_bindgen(unchecked_return_type = "SyncOutput")]
    pub fn read(&mut self, reply: JsValue, now: f64) -> Result<JsValue, JsValue> {
        let read = PresenceRead::read(&reply);
        to_js(&self.sync.read(&read, ms(now)))
    }

    /// One event from either side; a malformed event throws and changes nothing.
    #[wasm_bindgen(unchecked_return_type = "SyncOutput")]
    pub fn push(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "OmniSyncEvent | string")] event: JsValue,
        now: f64,
    ) -> Result<JsValue, JsValue> {
        let (event, _) = read_event(&event)?;
        to_js(&self.sync.event(&event, ms(now)))
    }

    /// The result of an `execute` command: `error` is a code, or null on success
    /// (`connection` marks a lost Omni-Channel connection).
    #[wasm_bindgen(unchecked_return_type = "SyncOutput")]
    pub fn reply(&mut self, id: f64, error: Option<String>, now: f64) -> Result<JsValue, JsValue> {
        to_js(&self.sync.result(ms(id), error.as_deref(), ms(now)))
    }

    /// Runs what is due at `now`; call it at the last output's `wakeAt`.
    #[wasm_bindgen(unchecked_return_type = "SyncOutput")]
    pub fn tick(&mut self, now: f64) -> Result<JsValue, JsValue> {
        to_js(&self.sync.tick(ms(now)))
    }

    #[wasm_bindgen(unchecked_return_type = "AgentState")]
    pub fn state(&self) -> Result<JsValue, JsValue> {
        to_js(self.sync.engine().state())
    }

    /// Running totals: events, actions, echoes, deferred, retries...
    pub fn stats(&self) -> Result<JsValue, JsValue> {
        to_js(self.sync.stats())
    }

    /// The UserServicePresence records, the current one running to `now`.
    #[wasm_bindgen(unchecked_return_type = "Metrics")]
    pub fn metrics(&self, now: f64) -> Result<JsValue, JsValue> {
        to_js(&self.sync.engine().metrics(ms(now)))
    }
}
