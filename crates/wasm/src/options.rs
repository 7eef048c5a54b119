//! `OmniSync.start`'s options as one typed struct ([`StartOptions`]): the values read
//! by serde from a JSON value, as the rules file is; the JavaScript objects (rules,
//! bridges, storage, callback) taken as they are (docs/runtime.md, "Options"). Each
//! option is read from the page's object under a catch, so a throwing getter or Proxy
//! costs only its option (read as absent), and copied to plain data before serde sees
//! it. An absent option (undefined or null) takes its default; a wrong-typed or
//! out-of-range one is `options.invalid` naming it, never clamped or dropped.

use crate::errors::Thrown;
use crate::interop::MAX_TIMER_MS;
use crate::node;
use js_sys::Reflect;
use omnisync::node::typed;
use serde::de::{self, Deserialize, Deserializer, Visitor};
use serde::forward_to_deserialize_any;
use wasm_bindgen::JsValue;

/// Bridge calls time out after this by default.
const BRIDGE_TIMEOUT_MS: u32 = 10_000;
const TRACE_SIZE: u32 = 200;
const RECONCILE_MS: u32 = 30_000;
/// A periodic read more often than this would only load the org.
const RECONCILE_MIN_MS: u32 = 250;

/// The options that are JavaScript objects, taken as they are (serde reads the rest).
const OBJECTS: [&str; 7] = [
    "rules",
    "catalog",
    "context",
    "host",
    "telephony",
    "storage",
    "onUpdate",
];

#[derive(Default, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct StartOptions {
    /// Read by `interop` (JSON text or plain data, under a catch), as for `new OmniSync`.
    #[serde(skip)]
    pub(crate) rules: JsValue,
    #[serde(skip)]
    pub(crate) catalog: JsValue,
    #[serde(skip)]
    pub(crate) context: JsValue,
    /// The bridges: objects whose methods are called (checked by the runtime).
    #[serde(skip)]
    pub(crate) host: JsValue,
    #[serde(skip)]
    pub(crate) telephony: JsValue,
    /// A `Storage`; `null` for none; absent for the page's `sessionStorage`.
    #[serde(skip)]
    pub(crate) storage: JsValue,
    #[serde(skip)]
    pub(crate) on_update: JsValue,
    pub(crate) channel: Option<String>,
    pub(crate) org_id: Option<String>,
    pub(crate) user_id: Option<String>,
    pub(crate) bridge_timeout_ms: Option<f64>,
    pub(crate) trace_size: Option<f64>,
    pub(crate) reconcile_ms: Option<f64>,
}

/// The numeric options, checked and with their defaults.
pub(crate) struct Numbers {
    pub(crate) bridge_timeout_ms: u32,
    pub(crate) trace_size: usize,
    /// 0: no periodic read.
    pub(crate) reconcile_ms: u32,
}

impl StartOptions {
    /// Reads `options`; `options.invalid` names the option that is refused.
    pub(crate) fn read(options: &JsValue) -> Result<StartOptions, Thrown> {
        if !options.is_object() {
            let message = "OmniSync.start needs an options object: {rules, host, telephony, ...}";
            return Err(Thrown::new("options.invalid", message));
        }
        let take = |name| Reflect::get(options, &JsValue::from_str(name)).unwrap_or_default();
        let refused = |name: &str, why: &str| {
            Thrown::new(
                "options.invalid",
                format!("options.{name} is not valid: {why}"),
            )
        };
        let mut values = serde_json::Map::new();
        for &name in fields() {
            let value = take(name);
            if !value.is_undefined() {
                // Text stays text (`plain` would parse it as JSON); an object is copied.
                let plain = match value.is_object() {
                    true => node::plain(&value).and_then(node::to_json),
                    false => node::to_json(value),
                };
                values.insert(name.into(), plain.map_err(|why| refused(name, &why))?);
            }
        }
        let mut read: StartOptions = typed(&serde_json::Value::Object(values))
            .map_err(|(path, why)| refused(path.trim_start_matches("$."), &why))?;
        let [rules, catalog, context, host, telephony, storage, on_update] = OBJECTS.map(take);
        (read.rules, read.catalog, read.context) = (rules, catalog, context);
        (read.host, read.telephony) = (host, telephony);
        (read.storage, read.on_update) = (storage, on_update);
        for (name, value, ok) in [
            ("storage", &read.storage, read.storage.is_object()),
            ("onUpdate", &read.on_update, read.on_update.is_function()),
        ] {
            if !(value.is_undefined() || value.is_null() || ok) {
                let why = format!("options.{name} must be {}", expected(name));
                return Err(Thrown::new("options.invalid", why));
            }
        }
        Ok(read)
    }

    /// The numeric options in range (defaults for those absent).
    pub(crate) fn numbers(&self) -> Result<Numbers, Thrown> {
        let bridge_timeout_ms = whole(
            self.bridge_timeout_ms,
            "bridgeTimeoutMs",
            1,
            600_000,
            BRIDGE_TIMEOUT_MS,
        )?;
        let trace_size = whole(self.trace_size, "traceSize", 10, 10_000, TRACE_SIZE)?;
        let reconcile_ms = match self.reconcile_ms {
            Some(0.0) => 0,
            n => whole(
                n,
                "reconcileMs",
                RECONCILE_MIN_MS,
                MAX_TIMER_MS,
                RECONCILE_MS,
            )?,
        };
        Ok(Numbers {
            bridge_timeout_ms,
            trace_size: trace_size as usize,
            reconcile_ms,
        })
    }
}

fn expected(name: &str) -> &'static str {
    match name {
        "storage" => "a Storage object or null",
        _ => "a function",
    }
}

/// A whole number in `min..=max` (a fraction of a ms is dropped), or `absent`.
fn whole(value: Option<f64>, name: &str, min: u32, max: u32, absent: u32) -> Result<u32, Thrown> {
    let Some(n) = value else { return Ok(absent) };
    let n = n.trunc();
    if n >= f64::from(min) && n <= f64::from(max) {
        return Ok(n as u32);
    }
    // Integers in the message: formatting a float would add its code to the bundle.
    Err(Thrown::new(
        "options.invalid",
        format!("options.{name} must be a finite number from {min} to {max}"),
    ))
}

/// The names of [`StartOptions`]'s fields as serde reads them.
fn fields() -> &'static [&'static str] {
    let mut names = Names(&[]);
    let _ = StartOptions::deserialize(&mut names);
    names.0
}

/// A deserializer that only notes the fields a struct asks for.
struct Names(&'static [&'static str]);

impl<'de> Deserializer<'de> for &mut Names {
    type Error = de::value::Error;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
        Err(de::Error::custom("only a struct's field names are read"))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.0 = fields;
        self.deserialize_any(visitor)
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes
        byte_buf option unit unit_struct newtype_struct seq tuple tuple_struct map enum
        identifier ignored_any
    }
}
