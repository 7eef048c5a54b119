//! The rules file: its shape ([`file`]), reading it with every error reported
//! ([`parse`]), checking and compiling it ([`compile`]) and evaluating conditions
//! ([`eval`]). Parse and validate once, evaluate many times.

pub mod compile;
pub mod eval;
pub mod file;
pub mod parse;
pub mod salesforce_id;

pub use compile::{CompiledRules, Rule, Status, Target};
pub use file::RulesFile;

use crate::error::Error;

impl CompiledRules {
    /// Reads, checks and compiles a rules file from JSON text.
    pub fn from_json_str(text: &str) -> Result<CompiledRules, Error> {
        finish(parse::read_str(text))
    }

    /// Reads, checks and compiles a rules file from a decoded JSON value.
    pub fn from_value(value: &serde_json::Value) -> Result<CompiledRules, Error> {
        finish(parse::read_value(value))
    }
}

/// Checks the meaning of whatever could be read, so shape and meaning errors are
/// reported together; the rules are accepted only when there is neither.
fn finish(draft: Result<parse::Draft, Vec<crate::Finding>>) -> Result<CompiledRules, Error> {
    let draft = draft.map_err(Error::InvalidRules)?;
    let mut errors = draft.errors;
    match compile::compile_from(&draft.file, &draft.origin) {
        Ok(rules) if errors.is_empty() => Ok(rules),
        Ok(_) => Err(Error::InvalidRules(errors)),
        Err(more) => {
            errors.extend(more);
            Err(Error::InvalidRules(errors))
        }
    }
}
