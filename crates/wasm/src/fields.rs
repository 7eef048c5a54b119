//! The one node the event reader reads events through: an event given as plain values
//! to `handleFields` (`events.rs`), or a JavaScript value read where it is
//! ([`Js`], for `handle(event)` and the runtime's bridges). One node type means one
//! copy of the core's event reader in the module, whichever way the event came.

use crate::node::{number_of, text_units_of, Js};
use omnisync::node::{Node, Shape};
use wasm_bindgen::JsValue;

/// An event as its entry point was given it (its arguments borrowed where they are),
/// or one of its values.
#[derive(Clone)]
pub(crate) enum Fields<'a> {
    /// The event: its type and its arguments by field name (an `undefined` one is a
    /// field left out; an empty name is an argument the kind does not take).
    Event(&'static str, &'a [(&'static str, JsValue)]),
    /// The event's `type`.
    Type(&'static str),
    /// One of the arguments: read in place, copied only to look inside an object.
    Arg(&'a JsValue),
    Value(Js),
}

impl Node for Fields<'_> {
    fn shape(&self) -> Shape<Self> {
        match self {
            Fields::Event(..) => Shape::Object,
            Fields::Type(name) => Shape::Text((*name).to_owned()),
            Fields::Arg(value) => Js((*value).clone()).shape().map(Fields::Value),
            Fields::Value(value) => value.shape().map(Fields::Value),
        }
    }

    fn get(&self, key: &'static str) -> Option<Self> {
        match self {
            Fields::Event(kind, _) if key == "type" => Some(Fields::Type(kind)),
            Fields::Event(_, fields) => fields
                .iter()
                .find(|(name, value)| *name == key && !value.is_undefined())
                .map(|(_, value)| Fields::Arg(value)),
            Fields::Type(_) => None,
            Fields::Arg(value) => Js((*value).clone()).get(key).map(Fields::Value),
            Fields::Value(value) => value.get(key).map(Fields::Value),
        }
    }

    fn keys(&self) -> Vec<String> {
        match self {
            Fields::Event(_, fields) => fields
                .iter()
                .filter(|(k, v)| !k.is_empty() && !v.is_undefined())
                .map(|(k, _)| (*k).to_owned())
                .collect(),
            Fields::Type(_) => Vec::new(),
            Fields::Arg(value) => Js((*value).clone()).keys(),
            Fields::Value(value) => value.keys(),
        }
    }

    fn parse(text: &str) -> Result<Self, String> {
        Js::parse(text).map(Fields::Value)
    }

    fn number(&self) -> Option<f64> {
        match self {
            Fields::Arg(value) => number_of(value),
            Fields::Value(value) => value.number(),
            _ => None,
        }
    }

    fn text(&self) -> Option<String> {
        match self {
            Fields::Type(name) => Some((*name).to_owned()),
            Fields::Arg(value) => value.as_string(),
            Fields::Value(value) => value.text(),
            Fields::Event(..) => None,
        }
    }

    fn text_units(&self) -> Option<usize> {
        match self {
            Fields::Arg(value) => text_units_of(value),
            Fields::Value(value) => value.text_units(),
            _ => None,
        }
    }

    fn is_object(&self) -> bool {
        match self {
            Fields::Event(..) => true,
            Fields::Type(_) => false,
            Fields::Arg(value) => Js((*value).clone()).is_object(),
            Fields::Value(value) => value.is_object(),
        }
    }
}
