//! A JSON document as the readers see it. Events and rules files are read through
//! [`Node`], so the same reading code serves serde_json's values natively and
//! JavaScript values in the browser (`crates/wasm/src/node.rs`): the browser never turns an
//! event into JSON text and back, and the wasm bundle carries no JSON parser. [`typed`]
//! is the one typed read of a JSON value, natively and in the binding.

pub(crate) use decimal::parse_decimal;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::borrow::Cow;

mod decimal;

/// What a node holds. Lists carry their elements; an object is read with
/// [`Node::get`] and [`Node::keys`].
#[derive(Debug, Clone, PartialEq)]
pub enum Shape<N> {
    Null,
    Bool(bool),
    Number(f64),
    Text(String),
    List(Vec<N>),
    Object,
    /// A value that could not be read (in the browser: a getter or Proxy that threw).
    Unreadable,
}

impl<N> Shape<N> {
    /// The same shape over another kind of node: a list's elements go through `f`.
    pub fn map<M>(self, f: impl FnMut(N) -> M) -> Shape<M> {
        match self {
            Shape::List(items) => Shape::List(items.into_iter().map(f).collect()),
            Shape::Null => Shape::Null,
            Shape::Bool(b) => Shape::Bool(b),
            Shape::Number(n) => Shape::Number(n),
            Shape::Text(t) => Shape::Text(t),
            Shape::Object => Shape::Object,
            Shape::Unreadable => Shape::Unreadable,
        }
    }

    /// How an error message names a value of this shape.
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Shape::Null => "null",
            Shape::Bool(_) => "a boolean",
            Shape::Number(_) => "a number",
            Shape::Text(_) => "a string",
            Shape::List(_) => "an array",
            Shape::Object => "an object",
            Shape::Unreadable => "a value that could not be read",
        }
    }
}

/// One value of a JSON document.
pub trait Node: Sized + Clone {
    fn shape(&self) -> Shape<Self>;
    /// The field `key` of an object; `None` when it is absent, or when this is not an
    /// object. An explicit `null` is `Some` node of shape [`Shape::Null`].
    fn get(&self, key: &'static str) -> Option<Self>;
    /// The keys of an object in document order; empty for anything else.
    fn keys(&self) -> Vec<String>;
    /// Reads JSON text (the Lightning payload carries its channel list as text).
    fn parse(text: &str) -> Result<Self, String>;

    fn is_object(&self) -> bool {
        matches!(self.shape(), Shape::Object)
    }

    /// The value of a number node (one question where `shape` may ask several).
    fn number(&self) -> Option<f64> {
        match self.shape() {
            Shape::Number(n) => Some(n),
            _ => None,
        }
    }

    /// A string node's length in UTF-16 code units, when it can be told without
    /// copying the text (in the browser): a string far past a limit is refused
    /// before it is copied into wasm memory, which never shrinks.
    fn text_units(&self) -> Option<usize> {
        None
    }

    /// The text of a string node.
    fn text(&self) -> Option<String> {
        match self.shape() {
            Shape::Text(t) => Some(t),
            _ => None,
        }
    }
}

/// A number as Omni-Channel may send it: a JSON number or a numeric string (spaces
/// around it allowed), finite. `None` for anything else (`Infinity` and `NaN`
/// included). The one reader of numbers in events and bridge replies.
pub(crate) fn number<N: Node>(shape: &Shape<N>) -> Option<f64> {
    match shape {
        Shape::Number(n) => Some(*n).filter(|n| n.is_finite()),
        Shape::Text(s) => parse_decimal(s.trim()),
        _ => None,
    }
}

/// serde_json's values, borrowed where they can be: the native reader.
impl Node for Cow<'_, Value> {
    fn shape(&self) -> Shape<Self> {
        match self {
            Cow::Borrowed(v) => borrowed_shape(v),
            Cow::Owned(v) => borrowed_shape(v).map(|i| Cow::Owned(i.into_owned())),
        }
    }

    fn get(&self, key: &'static str) -> Option<Self> {
        match self {
            Cow::Borrowed(v) => v.get(key).map(Cow::Borrowed),
            Cow::Owned(v) => v.get(key).map(|c| Cow::Owned(c.clone())),
        }
    }

    fn keys(&self) -> Vec<String> {
        self.as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default()
    }

    fn parse(text: &str) -> Result<Self, String> {
        serde_json::from_str(text)
            .map(Cow::Owned)
            .map_err(|e| e.to_string())
    }
}

fn borrowed_shape(v: &Value) -> Shape<Cow<'_, Value>> {
    match v {
        Value::Null => Shape::Null,
        Value::Bool(b) => Shape::Bool(*b),
        Value::Number(n) => Shape::Number(n.as_f64().unwrap_or(f64::NAN)),
        Value::String(s) => Shape::Text(s.clone()),
        Value::Array(items) => Shape::List(items.iter().map(Cow::Borrowed).collect()),
        Value::Object(_) => Shape::Object,
    }
}

/// `T` read from a JSON value, or where in it and why not: the path from `$`
/// (`$.teams[1]`) and serde's message. Every typed read (a rules file's parts, the
/// agent context, the start options) goes through here, so each type is read by one
/// deserializer and carries its path one way.
pub fn typed<T: DeserializeOwned>(value: &Value) -> Result<T, (String, String)> {
    serde_path_to_error::deserialize::<_, T>(value).map_err(located)
}

/// Where and why a typed read failed: not generic, so the path is built by one copy
/// of this code whatever the type read.
fn located(e: serde_path_to_error::Error<serde_json::Error>) -> (String, String) {
    let mut path = "$".to_string();
    for segment in e.path().iter() {
        match segment {
            serde_path_to_error::Segment::Seq { index } => {
                path.push_str(&format!("[{index}]"));
            }
            serde_path_to_error::Segment::Map { key } => {
                path.push('.');
                path.push_str(key);
            }
            serde_path_to_error::Segment::Enum { variant } => {
                path.push('.');
                path.push_str(variant);
            }
            serde_path_to_error::Segment::Unknown => {}
        }
    }
    (path, e.into_inner().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_finite() {
        let n = |x: f64| number::<Cow<Value>>(&Shape::Number(x));
        assert_eq!(n(f64::INFINITY), None);
        assert_eq!(n(f64::NEG_INFINITY), None);
        assert_eq!(n(f64::NAN), None);
        assert_eq!(n(2.5), Some(2.5));
    }

    #[test]
    fn numeric_strings_may_have_spaces() {
        assert_eq!(
            number::<Cow<Value>>(&Shape::Text(" 2.5 ".into())),
            Some(2.5)
        );
        assert_eq!(number::<Cow<Value>>(&Shape::Bool(true)), None);
    }
}
