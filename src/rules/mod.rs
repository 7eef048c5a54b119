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
        let file = parse::parse_str(text).map_err(Error::InvalidRules)?;
        compile::compile(&file).map_err(Error::InvalidRules)
    }

    /// Reads, checks and compiles a rules file from a decoded JSON value.
    pub fn from_value(value: &serde_json::Value) -> Result<CompiledRules, Error> {
        let file = parse::parse_value(value).map_err(Error::InvalidRules)?;
        compile::compile(&file).map_err(Error::InvalidRules)
    }
}
