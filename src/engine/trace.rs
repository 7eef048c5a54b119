//! The trace of a decision: why the engine decided what it did about one event, kept
//! compactly ([`Trace`]), its short form ([`TraceSummary`]) and its bytes
//! ([`Trace::to_bytes`], [`Trace::from_bytes`]). The compact-trace code lives here
//! whole: the outcomes kept, the re-evaluation on reading, the byte codec.

use crate::event::EventKind;
use crate::rules::compile::{CompiledRules, Target};
use crate::rules::eval::{eval, Check, Facts};
use serde::Serialize;
use std::borrow::Cow;
use std::sync::Arc;

/// What became of a rule the event triggered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Outcome {
    /// Its condition held and its actions were emitted.
    Emitted,
    /// Its condition held but that side is already in the target state.
    AlreadyInState,
    /// Its condition held but a later matching rule set the same side (allMatches).
    Superseded,
    NotMatched,
    /// The rule is limited to other agents.
    OutOfScope,
}

impl Outcome {
    /// Whether the rule's condition held.
    pub fn matched(self) -> bool {
        !matches!(self, Outcome::NotMatched | Outcome::OutOfScope)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleTrace {
    pub rule: String,
    pub matched: bool,
    pub outcome: Outcome,
    pub checks: Vec<Check>,
}

/// Why the engine decided what it did about one event, kept compactly: the facts the
/// rules saw and the outcome of each rule the event triggered. The comparisons (the
/// checks of [`RuleTrace`]) are not kept: [`Trace::rules`] evaluates the same rules on
/// the same facts again when someone reads them, so a decision nobody reads costs one
/// byte per triggered rule. Serialised, it is the full trace.
#[derive(Debug, Clone)]
pub struct Trace {
    pub event: &'static str,
    pub at: u64,
    pub notes: Vec<String>,
    pub(super) kind: EventKind,
    pub(super) facts: Facts<'static>,
    /// One per rule evaluated, in evaluation order (the rules `kind` triggers).
    pub(super) outcomes: Vec<Outcome>,
    /// The rules that made the decision, shared: replacing the engine's rules later
    /// does not change what an older trace says.
    pub(super) rules: Arc<CompiledRules>,
}

impl PartialEq for Trace {
    fn eq(&self, other: &Self) -> bool {
        self.event == other.event
            && self.at == other.at
            && self.notes == other.notes
            && self.facts == other.facts
            && self.outcomes == other.outcomes
    }
}

/// What a trace keeps for a reader with little room (the runtime's trace ring and the
/// panel): the rules whose condition held, with their checks, and how many did not.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TraceSummary {
    pub event: &'static str,
    pub at: u64,
    /// The rules whose condition held (emitted, already in state or superseded).
    pub rules: Vec<RuleTrace>,
    /// How many triggered rules did not match.
    pub not_matched: usize,
    /// How many triggered rules are limited to other agents.
    pub out_of_scope: usize,
    pub notes: Vec<String>,
}

impl Trace {
    /// Every rule the event triggered, each with the comparisons made.
    pub fn rules(&self) -> Vec<RuleTrace> {
        self.rule_traces(|_| true)
    }

    /// The rules whose condition held, in evaluation order, without their checks.
    pub fn matched(&self) -> impl Iterator<Item = &str> + '_ {
        let triggered = self.rules.triggered(self.kind);
        triggered
            .iter()
            .zip(&self.outcomes)
            .filter(|(_, o)| o.matched())
            .map(|(&r, _)| self.rules.rules[r].name.as_str())
    }

    /// The targets of the rules whose outcome was `want`, read from the rules that made
    /// the decision (no checks evaluated).
    pub fn targets_of(&self, want: Outcome) -> impl Iterator<Item = &Target> + '_ {
        let triggered = self.rules.triggered(self.kind);
        triggered
            .iter()
            .zip(&self.outcomes)
            .filter(move |(_, o)| **o == want)
            .flat_map(|(&r, _)| &self.rules.rules[r].targets)
    }

    /// What the rules asked for, whether sent or already so: each target of the rules
    /// whose outcome was emitted or already in state, with its rule's name. The
    /// replay's attribution asks it whether a change is one the rules would have made.
    pub fn wanted(&self) -> impl Iterator<Item = (&str, &Target)> + '_ {
        let triggered = self.rules.triggered(self.kind);
        triggered
            .iter()
            .zip(&self.outcomes)
            .filter(|(_, o)| matches!(o, Outcome::Emitted | Outcome::AlreadyInState))
            .flat_map(|(&r, _)| {
                let rule = &self.rules.rules[r];
                rule.targets.iter().map(move |t| (rule.name.as_str(), t))
            })
    }

    /// The short form: matching rules with their checks, counts of the rest.
    pub fn summary(&self) -> TraceSummary {
        let count = |want: Outcome| self.outcomes.iter().filter(|o| **o == want).count();
        TraceSummary {
            event: self.event,
            at: self.at,
            rules: self.rule_traces(Outcome::matched),
            not_matched: count(Outcome::NotMatched),
            out_of_scope: count(Outcome::OutOfScope),
            notes: self.notes.clone(),
        }
    }

    fn rule_traces(&self, keep: impl Fn(Outcome) -> bool) -> Vec<RuleTrace> {
        let triggered = self.rules.triggered(self.kind);
        triggered
            .iter()
            .zip(&self.outcomes)
            .filter(|(_, o)| keep(**o))
            .map(|(&r, &outcome)| {
                let rule = &self.rules.rules[r];
                let mut checks = Vec::new();
                if outcome != Outcome::OutOfScope {
                    eval(&rule.condition, &self.facts, Some(&mut checks));
                }
                RuleTrace {
                    rule: rule.name.clone(),
                    matched: outcome.matched(),
                    outcome,
                    checks,
                }
            })
            .collect()
    }
}

/// Why a rule the event triggered did not act, in a sentence an admin reads in the
/// simulate table (out of scope, a failing comparison, already so, superseded, not
/// evaluated). The sync loop adds its own reasons (deferred, chain limit, echo).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Miss {
    pub rule: String,
    pub outcome: &'static str,
    pub why: String,
}

impl Trace {
    /// Every rule the event triggered that did not emit, each with why. `context` is
    /// the agent the decision was made for (to say why a scope left the rule out).
    /// Evaluates the conditions again: only for readers who ask.
    pub fn misses(&self, context: &super::context::AgentContext) -> Vec<Miss> {
        let triggered = self.rules.triggered(self.kind);
        let mut out = Vec::new();
        for (i, &r) in triggered.iter().enumerate() {
            let rule = &self.rules.rules[r];
            let (outcome, why) = match self.outcomes.get(i) {
                Some(Outcome::Emitted) => continue,
                None => (
                    "notEvaluated",
                    "not evaluated: evaluation is firstMatch and an earlier rule matched"
                        .to_string(),
                ),
                Some(Outcome::OutOfScope) => ("outOfScope", out_of_scope(rule, context)),
                Some(Outcome::AlreadyInState) => (
                    "alreadyInState",
                    "matched, but that side already shows its target: nothing to send"
                        .to_string(),
                ),
                Some(Outcome::Superseded) => (
                    "superseded",
                    "matched, but a later matching rule sets the same side (allMatches: the last wins)"
                        .to_string(),
                ),
                Some(Outcome::NotMatched) => {
                    let mut checks = Vec::new();
                    eval(&rule.condition, &self.facts, Some(&mut checks));
                    let failed: Vec<String> =
                        checks.iter().filter(|c| !c.result).map(failing).collect();
                    ("notMatched", format!("condition false: {}", failed.join("; ")))
                }
            };
            out.push(Miss {
                rule: rule.name.clone(),
                outcome,
                why,
            });
        }
        out
    }
}

/// "out of scope: the rule is for teams Tier_2; this agent: no teams".
fn out_of_scope(
    rule: &crate::rules::compile::Rule,
    context: &super::context::AgentContext,
) -> String {
    let Some(scope) = &rule.scope else {
        return "out of scope".into();
    };
    let list = |l: &[String]| l.join(", ");
    let mut wants = Vec::new();
    let mut has = Vec::new();
    if !scope.user_ids.is_empty() {
        wants.push(format!("users {}", list(&scope.user_ids)));
        has.push(format!(
            "user {}",
            context.user_id.as_deref().unwrap_or("none")
        ));
    }
    if !scope.profile_ids.is_empty() {
        wants.push(format!("profiles {}", list(&scope.profile_ids)));
        has.push(format!(
            "profile {}",
            context.profile_id.as_deref().unwrap_or("none")
        ));
    }
    if !scope.teams.is_empty() {
        wants.push(format!("teams {}", list(&scope.teams)));
        has.push(match context.teams.as_slice() {
            [] => "no teams".to_string(),
            teams => format!("teams {}", list(teams)),
        });
    }
    format!(
        "out of scope: the rule is for {}; this agent: {}",
        wants.join(" and "),
        has.join(", ")
    )
}

/// `telephony.newState eq "Available" (it is "Lunch")`.
fn failing(check: &Check) -> String {
    let right = match check.right_operand {
        Some(operand) => format!("{operand} ({})", check.right),
        None => check.right.to_string(),
    };
    let value = match &check.value {
        serde_json::Value::Null => "it has no value yet".to_string(),
        v => format!("it is {v}"),
    };
    format!("{} {} {right} ({value})", check.left, check.op)
}

/// [`Trace::to_bytes`] and [`Trace::from_bytes`]: the compact trace as bytes, so a
/// caller can keep it outside Rust (the wasm class hands it to JavaScript, where the
/// garbage collector frees it) and have it read later.
impl Trace {
    /// The trace without its rules: event, time, notes, facts and outcomes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64 + self.outcomes.len());
        let text = |out: &mut Vec<u8>, t: &str| {
            out.extend_from_slice(&(t.len() as u32).to_le_bytes());
            out.extend_from_slice(t.as_bytes());
        };
        text(&mut out, self.kind.name());
        out.extend_from_slice(&self.at.to_le_bytes());
        let f = &self.facts;
        for t in [
            &f.telephony_new,
            &f.telephony_old,
            &f.omni_new,
            &f.omni_old,
            &f.channel,
        ] {
            match t {
                Some(t) => {
                    out.push(1);
                    text(&mut out, t);
                }
                None => out.push(0),
            }
        }
        for n in [f.previous_workload, f.new_workload, f.configured_capacity] {
            out.extend_from_slice(&n.to_le_bytes());
        }
        out.extend_from_slice(&(self.outcomes.len() as u32).to_le_bytes());
        out.extend(self.outcomes.iter().map(|o| *o as u8));
        out.extend_from_slice(&(self.notes.len() as u32).to_le_bytes());
        for note in &self.notes {
            text(&mut out, note);
        }
        out
    }

    /// Reads what [`Trace::to_bytes`] wrote, with the rules that made the decision;
    /// `None` for anything else.
    pub fn from_bytes(bytes: &[u8], rules: Arc<CompiledRules>) -> Option<Trace> {
        decode(bytes, rules)
    }
}

/// The reader behind [`Trace::from_bytes`].
fn decode(bytes: &[u8], rules: Arc<CompiledRules>) -> Option<Trace> {
    struct Reader<'a>(&'a [u8]);
    impl<'a> Reader<'a> {
        fn take(&mut self, n: usize) -> Option<&'a [u8]> {
            let head = self.0.get(..n)?;
            self.0 = &self.0[n..];
            Some(head)
        }
        fn u32(&mut self) -> Option<usize> {
            Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?) as usize)
        }
        fn u64(&mut self) -> Option<u64> {
            Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
        }
        fn text(&mut self) -> Option<String> {
            let len = self.u32()?;
            String::from_utf8(self.take(len)?.to_vec()).ok()
        }
        fn optional(&mut self) -> Option<Option<Cow<'static, str>>> {
            match self.take(1)?[0] {
                0 => Some(None),
                _ => Some(Some(Cow::Owned(self.text()?))),
            }
        }
    }
    const OUTCOMES: [Outcome; 5] = [
        Outcome::Emitted,
        Outcome::AlreadyInState,
        Outcome::Superseded,
        Outcome::NotMatched,
        Outcome::OutOfScope,
    ];
    let mut r = Reader(bytes);
    let kind = EventKind::from_name(&r.text()?)?;
    let at = r.u64()?;
    let facts = Facts {
        telephony_new: r.optional()?,
        telephony_old: r.optional()?,
        omni_new: r.optional()?,
        omni_old: r.optional()?,
        channel: r.optional()?,
        previous_workload: f64::from_bits(r.u64()?),
        new_workload: f64::from_bits(r.u64()?),
        configured_capacity: f64::from_bits(r.u64()?),
    };
    let count = r.u32()?;
    let outcomes = r
        .take(count)?
        .iter()
        .map(|&b| OUTCOMES.get(usize::from(b)).copied())
        .collect::<Option<Vec<_>>>()?;
    // Outcomes name rules by position among those the event triggers.
    if outcomes.len() > rules.triggered(kind).len() {
        return None;
    }
    let notes = (0..r.u32()?)
        .map(|_| r.text())
        .collect::<Option<Vec<_>>>()?;
    Some(Trace {
        event: kind.name(),
        at,
        notes,
        kind,
        facts,
        outcomes,
        rules,
    })
}

impl Serialize for Trace {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut out = serializer.serialize_struct("Trace", 4)?;
        out.serialize_field("event", self.event)?;
        out.serialize_field("at", &self.at)?;
        out.serialize_field("rules", &self.rules())?;
        out.serialize_field("notes", &self.notes)?;
        out.end()
    }
}
