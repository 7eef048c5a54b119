//! Evaluates compiled conditions against the facts of one event, recording every
//! comparison made so the trace can say why a rule matched or not.

use super::compile::{Cond, Rhs, Val};
use super::file::{Comparator, Operand};
use serde::Serialize;
use serde_json::Value;
use std::borrow::Cow;

/// The operand values at one event. `None` means "no value yet": every comparison on
/// it is false.
/// Text is borrowed from the model where it can be (the actions-only path allocates
/// nothing for it) and owned where it must outlive the call (an observation kept by
/// the sync loop).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts<'a> {
    pub telephony_new: Option<Cow<'a, str>>,
    pub telephony_old: Option<Cow<'a, str>>,
    pub omni_new: Option<Cow<'a, str>>,
    pub omni_old: Option<Cow<'a, str>>,
    pub channel: Option<Cow<'a, str>>,
    pub previous_workload: f64,
    pub new_workload: f64,
    pub configured_capacity: f64,
}

/// A value as compared, borrowed from the facts or the rule: evaluating a condition
/// allocates nothing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ValRef<'a> {
    Text(&'a str),
    Num(f64),
}

impl Val {
    pub fn as_ref(&self) -> ValRef<'_> {
        match self {
            Val::Text(t) => ValRef::Text(t),
            Val::Num(n) => ValRef::Num(*n),
        }
    }
}

fn text<'a>(t: &'a Option<Cow<'_, str>>) -> Option<ValRef<'a>> {
    t.as_deref().map(ValRef::Text)
}

impl Facts<'_> {
    /// The same facts, owning their text.
    pub fn into_owned(self) -> Facts<'static> {
        let own = |t: Option<Cow<str>>| t.map(|t| Cow::Owned(t.into_owned()));
        Facts {
            telephony_new: own(self.telephony_new),
            telephony_old: own(self.telephony_old),
            omni_new: own(self.omni_new),
            omni_old: own(self.omni_old),
            channel: own(self.channel),
            previous_workload: self.previous_workload,
            new_workload: self.new_workload,
            configured_capacity: self.configured_capacity,
        }
    }

    pub fn value(&self, operand: Operand) -> Option<ValRef<'_>> {
        let pct = |workload| crate::model::workload_pct(workload, self.configured_capacity);
        match operand {
            Operand::TelephonyNewState => text(&self.telephony_new),
            Operand::TelephonyOldState => text(&self.telephony_old),
            Operand::OmniNewStatus => text(&self.omni_new),
            Operand::OmniOldStatus => text(&self.omni_old),
            Operand::OmniChannel => text(&self.channel),
            Operand::PreviousWorkload => Some(ValRef::Num(self.previous_workload)),
            Operand::NewWorkload => Some(ValRef::Num(self.new_workload)),
            Operand::ConfiguredCapacity => Some(ValRef::Num(self.configured_capacity)),
            Operand::PreviousWorkloadPct => Some(ValRef::Num(pct(self.previous_workload))),
            Operand::NewWorkloadPct => Some(ValRef::Num(pct(self.new_workload))),
        }
    }
}

/// One comparison as the trace shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Check {
    pub left: &'static str,
    pub value: Value,
    pub op: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub right_operand: Option<&'static str>,
    pub right: Value,
    pub result: bool,
}

fn to_json(v: Option<ValRef>) -> Value {
    match v {
        None => Value::Null,
        Some(ValRef::Text(t)) => Value::String(t.to_string()),
        Some(ValRef::Num(n)) => serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number),
    }
}

fn compare(left: Option<ValRef>, op: Comparator, right: Option<ValRef>) -> bool {
    match (left, right) {
        (Some(ValRef::Text(a)), Some(ValRef::Text(b))) => match op {
            Comparator::Eq => a == b,
            Comparator::Ne => a != b,
            _ => false,
        },
        (Some(ValRef::Num(a)), Some(ValRef::Num(b))) => match op {
            Comparator::Eq => a == b,
            Comparator::Ne => a != b,
            Comparator::Gt => a > b,
            Comparator::Ge => a >= b,
            Comparator::Lt => a < b,
            Comparator::Le => a <= b,
        },
        _ => false,
    }
}

/// Evaluates `cond`, appending each comparison made to `checks` when given. Groups
/// stop at the first comparison that decides them, as an admin reading the trace would
/// expect.
pub(crate) fn eval(cond: &Cond, facts: &Facts, mut checks: Option<&mut Vec<Check>>) -> bool {
    match cond {
        Cond::Always => true,
        Cond::All(items) => items.iter().all(|c| eval(c, facts, checks.as_deref_mut())),
        Cond::Any(items) => items.iter().any(|c| eval(c, facts, checks.as_deref_mut())),
        Cond::Compare { left, op, right } => {
            let lv = facts.value(*left);
            let (rv, right_operand) = match right {
                Rhs::Static(v) => (Some(v.as_ref()), None),
                Rhs::Operand(o) => (facts.value(*o), Some(o.name())),
            };
            let result = compare(lv, *op, rv);
            if let Some(checks) = checks {
                checks.push(Check {
                    left: left.name(),
                    value: to_json(lv),
                    op: op.name(),
                    right_operand,
                    right: to_json(rv),
                    result,
                });
            }
            result
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Rhs {
        Rhs::Static(Val::Text(s.into()))
    }

    #[test]
    fn numbers_compare_as_numbers() {
        let facts = Facts {
            new_workload: 10.0,
            configured_capacity: 4.0,
            ..Facts::default()
        };
        let cond = Cond::Compare {
            left: Operand::NewWorkload,
            op: Comparator::Gt,
            right: Rhs::Static(Val::Num(9.0)),
        };
        let mut checks = Vec::new();
        // As strings "10" < "9"; as numbers 10 > 9.
        assert!(eval(&cond, &facts, Some(&mut checks)));
        let pct = Cond::Compare {
            left: Operand::NewWorkloadPct,
            op: Comparator::Eq,
            right: Rhs::Static(Val::Num(250.0)),
        };
        assert!(eval(&pct, &facts, Some(&mut checks)));
    }

    #[test]
    fn text_is_exact_and_case_sensitive() {
        let facts = Facts {
            telephony_new: Some("Busy  on  Omni".into()),
            ..Facts::default()
        };
        let mut checks = Vec::new();
        let eq = |s: &str| Cond::Compare {
            left: Operand::TelephonyNewState,
            op: Comparator::Eq,
            right: text(s),
        };
        assert!(eval(&eq("Busy  on  Omni"), &facts, Some(&mut checks)));
        assert!(!eval(&eq("Busy on  Omni"), &facts, Some(&mut checks)));
        assert!(!eval(&eq("busy  on  omni"), &facts, Some(&mut checks)));
        assert_eq!(checks.len(), 3);
        assert_eq!(checks[0].value, Value::String("Busy  on  Omni".into()));
    }

    #[test]
    fn missing_values_never_match() {
        let facts = Facts::default();
        let mut checks = Vec::new();
        for op in [Comparator::Eq, Comparator::Ne] {
            let c = Cond::Compare {
                left: Operand::TelephonyOldState,
                op,
                right: text("Lunch"),
            };
            assert!(!eval(&c, &facts, Some(&mut checks)));
        }
    }

    #[test]
    fn groups_short_circuit_and_record_what_was_checked() {
        let facts = Facts {
            telephony_new: Some("Lunch".into()),
            ..Facts::default()
        };
        let yes = Cond::Compare {
            left: Operand::TelephonyNewState,
            op: Comparator::Eq,
            right: text("Lunch"),
        };
        let no = Cond::Compare {
            left: Operand::TelephonyNewState,
            op: Comparator::Eq,
            right: text("Break"),
        };
        let mut checks = Vec::new();
        assert!(eval(
            &Cond::Any(vec![yes.clone(), no.clone()]),
            &facts,
            Some(&mut checks)
        ));
        assert_eq!(checks.len(), 1);
        checks.clear();
        assert!(!eval(
            &Cond::All(vec![yes, Cond::Any(vec![no])]),
            &facts,
            Some(&mut checks)
        ));
        assert_eq!(checks.len(), 2);
    }
}
