//! Events given as plain values: `omni.handleFields(kind, at, ...fields)`, the kind as
//! its number (its place in `OmniSync.eventNames()`) and the fields that kind has as
//! arguments, in the order [`fields_of`] lists them. The caller (the shim's `feed`,
//! www/events.js) has read the event object in JavaScript, so nothing here reads a
//! property: each argument is looked at as the value it is, and an object where a
//! string belongs is refused as one, with the finding `handle` gives for that field.
//!
//! The arguments become a `Fields` node (`fields.rs`), read by the core's one event
//! reader: the same checks, codes and paths as `handle(event)`, which then decides
//! through the same call. The result is small: `undefined` when the event leads to no
//! action, else the actions; the decision's trace stays in wasm, read with
//! `recent(limit)`.

use crate::class::OmniSync;
use crate::errors::Thrown;
use crate::fields::Fields;
use omnisync::event::EventKind;
use wasm_bindgen::prelude::*;

/// The fields an event kind's entry takes after `at`, in order: the payload's field
/// names as `handle` reads them.
fn fields_of(kind: EventKind) -> &'static [&'static str] {
    match kind {
        EventKind::LoginSuccess => &["statusId"],
        EventKind::StatusChanged => &[
            "statusId",
            "statusApiName",
            "statusName",
            "channels",
            "reason",
        ],
        EventKind::Logout => &["reason"],
        EventKind::WorkAssigned
        | EventKind::WorkAccepted
        | EventKind::WorkDeclined
        | EventKind::WorkClosed => &["workItemId", "workId", "serviceChannel"],
        EventKind::WorkloadChanged => &["configuredCapacity", "previousWorkload", "newWorkload"],
        EventKind::TelephonyStateChanged => &["newState", "oldState"],
        EventKind::Idle => &["idleMs"],
    }
}

#[wasm_bindgen]
impl OmniSync {
    /// Applies one event given as plain values: `kind`, the event type's place in
    /// `OmniSync.eventNames()`; `at` in ms (or `undefined`: now); then its fields in
    /// the order docs/runtime.md lists them ("Events as plain values"). Returns
    /// `undefined` when the event leads to no action, else the actions (frozen
    /// objects, shared by the decisions that take the same action); the trace is read
    /// with `recent`. A malformed event throws and changes nothing, as with `handle`.
    #[wasm_bindgen(js_name = handleFields, unchecked_return_type = "Action[] | undefined")]
    #[allow(clippy::too_many_arguments)]
    pub fn handle_fields(
        &self,
        kind: u32,
        #[wasm_bindgen(unchecked_param_type = "number | undefined")] at: JsValue,
        a: JsValue,
        b: JsValue,
        c: JsValue,
        d: JsValue,
        e: JsValue,
    ) -> Result<JsValue, JsValue> {
        let Some(&kind) = EventKind::ALL.get(kind as usize) else {
            let message = format!(
                "unknown event kind {kind}: the kinds are 0 to {} in the order of OmniSync.eventNames()",
                EventKind::ALL.len() - 1
            );
            return Err(Thrown::new("event.unknownType", message).into());
        };
        let names = fields_of(kind);
        let name = |i: usize| names.get(i).copied().unwrap_or("");
        let given = [
            ("at", at),
            (name(0), a),
            (name(1), b),
            (name(2), c),
            (name(3), d),
            (name(4), e),
        ];
        self.take_event(&Fields::Event(kind.name(), &given))
    }
}
