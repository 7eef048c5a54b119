//! The one bound on the work done over a rules file: the constructor (compiling) and
//! `omnisync check` (conflicts and cycles) each count their elementary operations (a
//! condition node, a target visited, a pair of rules compared, an edge followed)
//! against [`MAX_WORK`], per rule, so that a file past it is named by the rules that
//! cost most instead of taking minutes. Counting is per rule so the finding can point
//! at them; the file size limit keeps the number of rules (and this table) small.

use crate::error::Finding;

/// Elementary operations one pass (compiling, or checking) may take over a file.
pub const MAX_WORK: u64 = 4_000_000;

/// Rules named in a `rules.tooComplex` finding.
const NAMED: usize = 3;

/// Work counted per rule, against a limit.
#[derive(Debug, Clone)]
pub struct Budget {
    limit: u64,
    used: u64,
    per_rule: Vec<u64>,
}

impl Budget {
    /// A budget of [`MAX_WORK`] for `rules` rules.
    pub fn new(rules: usize) -> Budget {
        Budget::with_limit(rules, MAX_WORK)
    }

    /// A budget of `limit` (tests use a small one to reach it with a small file).
    pub fn with_limit(rules: usize, limit: u64) -> Budget {
        Budget {
            limit,
            used: 0,
            per_rule: vec![0; rules],
        }
    }

    /// Counts `n` operations made for rule `rule`; false once the limit is passed (and
    /// from then on).
    pub fn charge(&mut self, rule: usize, n: u64) -> bool {
        self.used = self.used.saturating_add(n);
        if self.per_rule.len() <= rule {
            self.per_rule.resize(rule + 1, 0);
        }
        self.per_rule[rule] = self.per_rule[rule].saturating_add(n);
        self.used <= self.limit
    }

    pub fn exceeded(&self) -> bool {
        self.used > self.limit
    }

    pub fn used(&self) -> u64 {
        self.used
    }

    /// `rules.tooComplex`: what stopped (`what`), with the rules that cost most, by
    /// name and path (`rule(i)` gives them).
    pub fn finding<'a>(&self, what: &str, rule: impl Fn(usize) -> (&'a str, &'a str)) -> Finding {
        // The NAMED costliest, picked one by one (no sort: its code would weigh more in
        // the wasm bundle than the loop).
        let mut costly: Vec<usize> = Vec::new();
        for _ in 0..NAMED {
            let next = (0..self.per_rule.len())
                .filter(|i| self.per_rule[*i] > 0 && !costly.contains(i))
                .max_by_key(|&i| (self.per_rule[i], std::cmp::Reverse(i)));
            costly.extend(next);
        }
        let named: Vec<String> = costly
            .iter()
            .map(|&i| {
                let (name, path) = rule(i);
                format!("\"{name}\" at {path} ({} operations)", self.per_rule[i])
            })
            .collect();
        let path = costly
            .first()
            .map_or_else(|| "$.rules".to_string(), |&i| rule(i).1.to_string());
        Finding::new(
            "rules.tooComplex",
            path,
            format!(
                "{what} stopped after {} elementary operations (the limit): the rules that cost most are {}",
                self.limit,
                named.join(", ")
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_itself_is_allowed_and_one_past_is_not() {
        let mut b = Budget::with_limit(2, 10);
        assert!(b.charge(0, 4));
        assert!(b.charge(1, 6));
        assert!(!b.exceeded());
        assert!(!b.charge(1, 1));
        assert!(b.exceeded());
        let f = b.finding("the check", |i| {
            (["a", "b"][i], ["$.rules[0]", "$.rules[1]"][i])
        });
        assert_eq!(f.code, "rules.tooComplex");
        assert_eq!(f.path, "$.rules[1]");
        assert!(
            f.message.starts_with("the check stopped after 10"),
            "{}",
            f.message
        );
        assert!(f
            .message
            .contains("\"b\" at $.rules[1] (7 operations), \"a\""));
    }
}
