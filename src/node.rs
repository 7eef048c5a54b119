//! A JSON document as the readers see it. Events and rules files are read through
//! [`Node`], so the same reading code serves serde_json's values natively and
//! JavaScript values in the browser (`src/wasm/node.rs`): the browser never turns an
//! object into JSON text and back, and the wasm bundle carries no JSON parser.

use serde_json::Value;
use std::borrow::Cow;

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
    pub fn name(&self) -> &'static str {
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
pub fn number<N: Node>(shape: &Shape<N>) -> Option<f64> {
    match shape {
        Shape::Number(n) => Some(*n).filter(|n| n.is_finite()),
        Shape::Text(s) => parse_decimal(s.trim()),
        _ => None,
    }
}

/// Parses a plain decimal such as `2`, `-0.5` or `1e3`; `None` for anything else
/// (including `NaN` and `inf`). Decimals of up to 19 significant digits, which covers
/// every workload and percentage, come out exactly as the JSON parser would give them.
/// The one reader of numeric strings, in events and in rule values alike; written by
/// hand so the readers do not need the standard library's general float parser and its
/// tables (serde_json, which reads rules files today, still brings them in).
pub fn parse_decimal(s: &str) -> Option<f64> {
    let (negative, rest) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    // Any exponent beyond this gives 0 or infinity whatever the digits (at most 19
    // are kept, and f64 spans 1e-324 to 1e308): clamping it keeps the arithmetic
    // below from overflowing, so a huge exponent can never wrap round to a small one.
    const EXPONENT_LIMIT: i64 = 1_000;
    let (mantissa, exponent) = match rest.find(['e', 'E']) {
        Some(i) => {
            let digits = &rest[i + 1..];
            let unsigned = digits.strip_prefix(['+', '-']).unwrap_or(digits);
            if unsigned.is_empty() || !unsigned.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            let magnitude = unsigned
                .bytes()
                .try_fold(0i64, |n, c| {
                    Some((n * 10 + i64::from(c - b'0')).min(EXPONENT_LIMIT))
                })
                .unwrap_or(EXPONENT_LIMIT);
            let exponent = if digits.starts_with('-') {
                -magnitude
            } else {
                magnitude
            };
            (&rest[..i], exponent as i32)
        }
        None => (rest, 0),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if whole.is_empty() && fraction.is_empty() {
        return None;
    }
    let mut digits: u64 = 0;
    let mut scale = exponent;
    let mut significant = 0;
    for (i, c) in whole.bytes().chain(fraction.bytes()).enumerate() {
        if !c.is_ascii_digit() {
            return None;
        }
        let in_fraction = i >= whole.len();
        if significant < 19 {
            digits = digits * 10 + u64::from(c - b'0');
            if digits > 0 {
                significant += 1;
            }
            scale -= i32::from(in_fraction);
        } else if !in_fraction {
            scale = scale.saturating_add(1);
        }
    }
    // Exact when both the digits and the power of ten are exactly representable.
    let magnitude = digits as f64;
    let value = match scale {
        0 => magnitude,
        1..=22 => magnitude * 10f64.powi(scale),
        -22..=-1 => magnitude / 10f64.powi(-scale),
        _ => magnitude * 10f64.powi(scale),
    };
    value
        .is_finite()
        .then_some(if negative { -value } else { value })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_read_like_json_numbers() {
        for text in [
            "0",
            "2",
            "2.5",
            "-0.5",
            "+3",
            "1e3",
            "1E-2",
            "12.",
            ".5",
            "100",
            "0.1",
            "0.3",
            "123456.789",
            "99.99",
            "1e22",
            "4.35",
        ] {
            let expected: f64 = text.parse().expect("a valid float");
            assert_eq!(parse_decimal(text), Some(expected), "{text}");
        }
        for text in [
            "",
            "-",
            ".",
            "abc",
            "1.2.3",
            "NaN",
            "inf",
            "1e",
            "1x",
            "--1",
            "1e999",
            "Infinity",
            "-Infinity",
            "1e+",
            "1e--2",
            "1e2.5",
        ] {
            assert_eq!(parse_decimal(text), None, "{text}");
        }
    }

    #[test]
    fn huge_exponents_never_wrap() {
        // 20 digits push the scale past the exponent: it must not wrap to a tiny number.
        for text in [
            "11111111111111111111e2147483647",
            "1e2147483648",
            "1e99999999999999999999",
            "111111111111111111111111e2147483646",
        ] {
            assert_eq!(parse_decimal(text), None, "{text}");
        }
        assert_eq!(parse_decimal("1e-2147483648"), Some(0.0));
        assert_eq!(parse_decimal("5e-99999999999"), Some(0.0));
        let small = parse_decimal("11111111111111111111e-20").unwrap_or(0.0);
        assert!((small - 0.111_111_111_111_111_1).abs() < 1e-15, "{small}");
    }

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
