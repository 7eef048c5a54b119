//! What the binding throws: always a real `Error` named `OmniSyncError`, with a stable
//! `code` and a `details` list of findings (`{code, path, message}`, empty when the
//! error is about a call rather than a document). The core's [`Error`] converts to a
//! [`Thrown`]; the binding's own errors are made with [`Thrown::new`]. The codes are listed in
//! docs/runtime.md ("Errors").

use js_sys::Reflect;
use omnisync::error::{Error, Finding};
use wasm_bindgen::JsValue;

/// An error on its way to JavaScript.
pub(crate) struct Thrown {
    code: &'static str,
    message: String,
    details: Vec<Finding>,
}

impl Thrown {
    /// An error of the call itself, such as `runtime.busy` or `bridge.invalid`.
    pub(crate) fn new(code: &'static str, message: impl Into<String>) -> Thrown {
        Thrown {
            code,
            message: message.into(),
            details: Vec::new(),
        }
    }

    /// A value refused for what it holds: the finding is the one detail.
    pub(crate) fn with(code: &'static str, message: String, finding: Finding) -> Thrown {
        Thrown {
            code,
            message,
            details: vec![finding],
        }
    }
}

/// The message alone, as the runtime's trace records a refusal.
impl std::fmt::Display for Thrown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<Thrown> for JsValue {
    fn from(thrown: Thrown) -> JsValue {
        throw(thrown.code, &thrown.message, &thrown.details)
    }
}

impl From<Error> for Thrown {
    fn from(err: Error) -> Thrown {
        Thrown {
            code: err.code(),
            message: err.to_string(),
            details: err.details().to_vec(),
        }
    }
}

/// The `Error` object itself.
fn throw(code: &'static str, message: &str, details: &[Finding]) -> JsValue {
    let js = js_sys::Error::new(message);
    js.set_name("OmniSyncError");
    // As `interop::to_js` writes outputs, without importing it (it throws these).
    let details = serde_json::to_string(details)
        .ok()
        .and_then(|text| js_sys::JSON::parse(&text).ok())
        .unwrap_or_else(|| js_sys::Array::new().into());
    // Setting a property on a fresh Error object cannot fail.
    let _ = Reflect::set(&js, &"code".into(), &code.into());
    let _ = Reflect::set(&js, &"details".into(), &details);
    js.into()
}
