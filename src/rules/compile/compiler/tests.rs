use super::*;
use serde_json::json;

/// The constructor counts its work against the same budget as the check: past it,
/// the file is refused naming the rules that cost most.
#[test]
fn compiling_past_the_budget_is_refused_naming_the_costliest_rules() {
    let value = json!({"version": 1, "statuses": [], "telephony": {"system": "x", "states": ["X"]},
        "rules": [
            {"name": "small", "on": "omni.workloadChanged", "then": [{"setTelephonyState": "X"}]},
            {"name": "big", "on": "omni.workloadChanged",
                "if": {"all": [{"left": "omni.newWorkload", "op": "ge", "right": {"value": 1}},
                    {"left": "omni.newWorkload", "op": "le", "right": {"value": 9}}]},
                "then": [{"setTelephonyState": "X"}, {"setTelephonyState": "X"}]}]});
    let draft = crate::rules::parse::read_value(&value).unwrap();
    // "small" costs 3 (itself, its condition "always", one action), "big" 6 (itself, a
    // group of two comparisons, two actions): 9 in all.
    let within = compile_within(&draft.file, &draft.origin, true, Budget::with_limit(0, 9));
    assert!(within.is_ok());
    let past = compile_within(&draft.file, &draft.origin, true, Budget::with_limit(0, 8));
    let errors = past.unwrap_err();
    assert_eq!(errors.len(), 1);
    assert_eq!(
        (errors[0].code, errors[0].path.as_str()),
        ("rules.tooComplex", "$.rules[1]")
    );
    assert!(errors[0]
        .message
        .starts_with("compiling the rules stopped after 8"));
    assert!(errors[0]
        .message
        .contains("\"big\" at $.rules[1] (6 operations), \"small\""));
}
