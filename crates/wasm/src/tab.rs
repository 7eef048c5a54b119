//! `Tab` for JavaScript: the pure tab (`omnisync::tabs::Tab`: leadership, follower
//! confirmation, takeover, the saved session) with time passed in and every step
//! returned as a value, for hosts that carry out the effects themselves and for the
//! conformance suite. `OmniSync.start` runs the same tab with the browser's lock,
//! channel, timers and bridges. See docs/runtime.md, "Runtime: leadership".

use crate::errors::Thrown;
use crate::interop::{count_arg, headroom, new_loop, option, parse_json, text_json, time_or};
use crate::node;
use omnisync::tabs::{Settings, Tab};
use std::cell::{RefCell, RefMut};
use wasm_bindgen::prelude::*;

/// One tab of one agent; every call returns its step `{commands, reads, notify,
/// timers, save?, results, trace}`. As `SyncLoop`: methods take `&self`, read their
/// arguments before borrowing the tab, and run no JavaScript while it is borrowed.
#[wasm_bindgen(js_name = Tab)]
pub struct TabHandle {
    tab: RefCell<Tab>,
}

#[wasm_bindgen(js_class = Tab)]
impl TabHandle {
    /// Builds the tab from rules (JSON text or object) and `{catalog?, context?, seed?,
    /// orgId?, userId?, bridgeTimeoutMs?, storage?}` (`storage`: whether the tab can
    /// save its session). Throws like `new SyncLoop`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "string | object")] rules: JsValue,
        #[wasm_bindgen(
            unchecked_param_type = "{catalog?: object[] | object, context?: object, seed?: number, orgId?: string, userId?: string, bridgeTimeoutMs?: number, storage?: boolean}"
        )]
        options: Option<JsValue>,
    ) -> Result<TabHandle, JsValue> {
        console_error_panic_hook::set_once();
        headroom();
        let options = options.unwrap_or(JsValue::UNDEFINED);
        let sync = new_loop(&rules, &options)?;
        let timeout = count_arg(
            &option(&options, "bridgeTimeoutMs"),
            "options.bridgeTimeoutMs",
        )?;
        let settings = Settings {
            org: option(&options, "orgId").as_string().unwrap_or_default(),
            user: option(&options, "userId").as_string().unwrap_or_default(),
            timeout_ms: timeout.unwrap_or(10_000),
            stores: option(&options, "storage").is_truthy(),
        };
        Ok(TabHandle {
            tab: RefCell::new(Tab::new(sync, settings)),
        })
    }

    /// One call at `now`: `{start}`, `{restore: text}`, `{save}`, `{stop}`, or an
    /// input (`{event}`, `{reply: {id, error}}`, `{read}`, `{tick}`, `{lock: bool}`,
    /// `{alive}`, `{acting: {side, target}}`, `{done: {side, target}}`,
    /// `{unconfirmed}`, `{connectionLost}`). A call it cannot read throws
    /// `call.invalid` (for a malformed event, with its code as the message).
    #[wasm_bindgen(unchecked_return_type = "TabStep")]
    pub fn call(
        &self,
        call: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] now: JsValue,
    ) -> Result<JsValue, JsValue> {
        let now = time_or(&now, "now", || 0)?;
        // Read whole into plain values before the tab is borrowed: a getter of the
        // page's object runs no code while it is.
        let call = node::plain(&call).map_err(|why| {
            Thrown::new("call.invalid", format!("the call could not be read: {why}"))
        })?;
        let text = {
            let mut tab = self.borrow()?;
            let step = tab
                .read_call(&node::Js(call), now, text_json)
                .map_err(|why| Thrown::new("call.invalid", why))?;
            serde_json::to_string(&step)
        };
        parse_json(text)
    }

    /// Whether this tab acts for the agent.
    #[wasm_bindgen(js_name = isLeader)]
    pub fn is_leader(&self) -> Result<bool, JsValue> {
        Ok(self.borrow()?.leads())
    }

    #[wasm_bindgen(unchecked_return_type = "AgentState")]
    pub fn state(&self) -> Result<JsValue, JsValue> {
        let text = serde_json::to_string(self.borrow()?.sync.engine().state());
        parse_json(text)
    }
}

impl TabHandle {
    /// The tab, after the stack check; `engine.busy` if a call is under way.
    fn borrow(&self) -> Result<RefMut<'_, Tab>, JsValue> {
        headroom();
        self.tab.try_borrow_mut().map_err(|_| {
            Thrown::new(
                "engine.busy",
                "this Tab is in the middle of another call: call again once it returns",
            )
            .into()
        })
    }
}
