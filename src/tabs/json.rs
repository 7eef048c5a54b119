//! A tab's calls written as JSON (`{"lock": true}`, `{"event": {...}}`...), one entry
//! point for hosts that drive a tab from data and for the conformance suite
//! (tests/conformance/tabs/, format in tests/common/tabs.rs). Read through
//! [`Node`]: natively from serde_json's values, in the browser from JavaScript values
//! with the same readers the runtime uses (no second copy of them in the bundle).

use super::step::{Input, Step};
use super::tab::Tab;
use crate::action::Side;
use crate::event::{event_time, Event};
use crate::node::{Node, Shape};
use crate::read::PresenceRead;
use serde_json::Value;
use std::borrow::Cow;

impl Tab {
    /// [`Tab::read_call`] on a serde_json value, the saved session read by serde_json.
    pub fn call(&mut self, call: &Value, at: u64) -> Result<Step, String> {
        self.read_call(&Cow::Borrowed(call), at, |text| {
            serde_json::from_str(text).ok()
        })
    }

    /// Runs one call at `at`: `start`, `restore` (the saved text; `read` turns it into
    /// JSON), `save` (the due write), `stop`, or an input (`event`, `reply {id,
    /// error}`, `read`, `tick`, `connectionLost`, `lock`, `alive`, `acting` / `done`
    /// `{side, target}`, `unconfirmed`). A call it cannot read is the error's text.
    pub fn read_call<N: Node>(
        &mut self,
        call: &N,
        at: u64,
        read: impl FnOnce(&str) -> Option<Value>,
    ) -> Result<Step, String> {
        let keys = call.keys();
        let [name] = keys.as_slice() else {
            return Err("a call is an object with one field".into());
        };
        // `get` takes the field's name as written here, not as the caller wrote it.
        let field = |key: &'static str| call.get(key).ok_or(format!("{key} is missing"));
        let input = match name.as_str() {
            "start" => return Ok(self.start(at)),
            "save" => return Ok(self.save_now()),
            "stop" => return Ok(self.stop()),
            "restore" => {
                let text = field("restore")?
                    .text()
                    .ok_or("restore is the saved session's text")?;
                return Ok(self.restore(&text, read, at));
            }
            "event" => {
                let event = field("event")?;
                let parsed = Event::read(&event).map_err(|e| e.code().to_string())?;
                let stamped = event_time(&event).map_err(|e| e.code().to_string())?;
                Input::Event(Box::new(parsed), stamped)
            }
            "reply" => {
                let reply = field("reply")?;
                let id = reply
                    .get("id")
                    .and_then(|id| id.number())
                    .filter(|n| *n >= 0.0 && n.fract() == 0.0)
                    .ok_or("reply.id is a whole number")?;
                let error = reply.get("error").and_then(|e| e.text());
                Input::Result(id as u64, error)
            }
            "read" => {
                // Read as of now: nothing arrived since it was asked.
                let mark = self.sync.read_mark();
                Input::Read(Box::new(PresenceRead::read(&field("read")?)), mark)
            }
            "tick" => Input::Tick,
            "connectionLost" => Input::ConnectionLost,
            "lock" => match field("lock")?.shape() {
                Shape::Bool(leads) => Input::Lock(leads),
                _ => return Err("lock is true or false".into()),
            },
            "alive" => Input::Alive,
            "unconfirmed" => Input::Unconfirmed,
            "acting" => {
                let (side, target) = write(&field("acting")?, "acting")?;
                Input::Acting(side, target)
            }
            "done" => {
                let (side, target) = write(&field("done")?, "done")?;
                Input::Done(side, target)
            }
            other => return Err(format!("unknown call {other}")),
        };
        Ok(self.step(input, at))
    }
}

/// An announced write: `{side, target}`.
fn write<N: Node>(value: &N, name: &str) -> Result<(Side, String), String> {
    let side = match value.get("side").and_then(|s| s.text()).as_deref() {
        Some("omni") => Side::Omni,
        Some("telephony") => Side::Telephony,
        _ => return Err(format!("{name}.side is \"omni\" or \"telephony\"")),
    };
    let target = value.get("target").and_then(|t| t.text());
    Ok((side, target.ok_or(format!("{name}.target is text"))?))
}
