//! The rules file: its shape ([`file`], the operands' table in [`operand`]), reading it with every error reported
//! ([`parse`]), checking and compiling it ([`compile`]), resolving its status names
//! against the org's catalog ([`catalog`]) and evaluating conditions ([`eval`]).
//! Parse and validate once, evaluate many times.

pub mod budget;
pub(crate) mod catalog;
pub(crate) mod compile;
pub(crate) mod eval;
pub mod file;
pub mod operand;
pub mod parse;
pub(crate) mod salesforce_id;

pub use catalog::Catalog;
pub use compile::{CompiledRules, Rule, Status, Target};
pub use file::RulesFile;

use crate::error::Error;

/// Where the statuses' Ids come from.
#[derive(Clone, Copy)]
enum Ids<'a> {
    /// From the rules file: each status must have one.
    InFile,
    /// From the org's catalog, which wins over the file's.
    Catalog(&'a Catalog),
    /// Nowhere: only the names are checked (`omnisync check` without a catalog).
    NamesOnly,
}

impl CompiledRules {
    /// Reads, checks and compiles a rules file from JSON text. Every status needs its
    /// `id`: without the org's catalog nothing else can give it.
    pub fn from_json_str(text: &str) -> Result<CompiledRules, Error> {
        finish(parse::read_str(text), Ids::InFile)
    }

    /// Reads, checks and compiles a rules file from a decoded JSON value.
    pub fn from_value(value: &serde_json::Value) -> Result<CompiledRules, Error> {
        finish(parse::read_value(value), Ids::InFile)
    }

    /// Reads, checks and compiles a rules file, then gives each status the org's Id
    /// from `catalog`. A status the org lacks fails with `rules.unknownStatus`
    /// ([`Error::UnknownStatus`]); an Id in the file that disagrees with the org's is
    /// listed in [`CompiledRules::warnings`] and the org's Id is used.
    pub fn from_value_with_catalog(
        value: &serde_json::Value,
        catalog: &Catalog,
    ) -> Result<CompiledRules, Error> {
        finish(parse::read_value(value), Ids::Catalog(catalog))
    }

    /// [`CompiledRules::from_value_with_catalog`] from JSON text.
    pub fn from_json_str_with_catalog(
        text: &str,
        catalog: &Catalog,
    ) -> Result<CompiledRules, Error> {
        finish(parse::read_str(text), Ids::Catalog(catalog))
    }

    /// Checks a file's meaning without any Id: statuses without `id` get an empty
    /// one. For checks only; such rules cannot act on Omni-Channel.
    pub fn from_json_str_names_only(text: &str) -> Result<CompiledRules, Error> {
        finish(parse::read_str(text), Ids::NamesOnly)
    }
}

/// Checks the meaning of whatever could be read, so shape and meaning errors are
/// reported together; the rules are accepted only when there is neither. Names are
/// resolved against a catalog only once the file itself is valid.
fn finish(
    draft: Result<parse::Draft, Vec<crate::Finding>>,
    ids: Ids,
) -> Result<CompiledRules, Error> {
    let draft = draft.map_err(Error::InvalidRules)?;
    let mut errors = draft.errors;
    let require_ids = matches!(ids, Ids::InFile);
    let mut rules = match compile::compiler::compile_from(&draft.file, &draft.origin, require_ids) {
        Ok(rules) if errors.is_empty() => rules,
        Ok(_) => return Err(Error::InvalidRules(errors)),
        Err(more) => {
            errors.extend(more);
            return Err(Error::InvalidRules(errors));
        }
    };
    if let Ids::Catalog(catalog) = ids {
        rules.warnings = catalog::resolve(&mut rules, catalog)?;
    }
    Ok(rules)
}
