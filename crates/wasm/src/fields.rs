//! The one node the event reader reads events through: an event given as plain values
//! to `handleFields` (`events.rs`), or a JavaScript value read where it is
//! ([`Js`], for `handle(event)` and the runtime's bridges). One node type means one
//! copy of the core's event reader in the module, whichever way the event came.

use crate::node::Js;
use omnisync::node::{Node, Shape};
use std::rc::Rc;
use wasm_bindgen::JsValue;

/// An event as its entry point was given it, or one of its values.
#[derive(Clone)]
pub(crate) enum Fields {
    /// The event: its type and its fields by name (`undefined` ones left out).
    Event(&'static str, Rc<[(&'static str, JsValue)]>),
    /// The event's `type`.
    Type(&'static str),
    Value(Js),
}

impl Fields {
    pub(crate) fn event(
        kind: &'static str,
        fields: impl Iterator<Item = (&'static str, JsValue)>,
    ) -> Fields {
        let given = fields.filter(|(_, v)| !v.is_undefined());
        Fields::Event(kind, given.collect())
    }
}

impl Node for Fields {
    fn shape(&self) -> Shape<Self> {
        match self {
            Fields::Event(..) => Shape::Object,
            Fields::Type(name) => Shape::Text((*name).to_owned()),
            Fields::Value(value) => value.shape().map(Fields::Value),
        }
    }

    fn get(&self, key: &'static str) -> Option<Self> {
        match self {
            Fields::Event(kind, _) if key == "type" => Some(Fields::Type(kind)),
            Fields::Event(_, fields) => fields
                .iter()
                .find(|(name, _)| *name == key)
                .map(|(_, value)| Fields::Value(Js(value.clone()))),
            Fields::Type(_) => None,
            Fields::Value(value) => value.get(key).map(Fields::Value),
        }
    }

    fn keys(&self) -> Vec<String> {
        match self {
            Fields::Event(_, fields) => fields.iter().map(|(k, _)| (*k).to_owned()).collect(),
            Fields::Type(_) => Vec::new(),
            Fields::Value(value) => value.keys(),
        }
    }

    fn parse(text: &str) -> Result<Self, String> {
        Js::parse(text).map(Fields::Value)
    }

    fn number(&self) -> Option<f64> {
        match self {
            Fields::Value(value) => value.number(),
            _ => None,
        }
    }

    fn text(&self) -> Option<String> {
        match self {
            Fields::Type(name) => Some((*name).to_owned()),
            Fields::Value(value) => value.text(),
            Fields::Event(..) => None,
        }
    }

    fn text_units(&self) -> Option<usize> {
        match self {
            Fields::Value(value) => value.text_units(),
            _ => None,
        }
    }

    fn is_object(&self) -> bool {
        match self {
            Fields::Event(..) => true,
            Fields::Type(_) => false,
            Fields::Value(value) => value.is_object(),
        }
    }
}
