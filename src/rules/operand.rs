//! The operands a condition compares, in one table: name, kind of value, the side whose
//! presence it reads and the triggers it has a value on. The enum, its serde names,
//! [`Operand::ALL`] and every column are declared from the same lines, so an operand
//! cannot be added without all of them; what must then know it (the value at an event,
//! `rules::eval::Facts::value`) matches exhaustively and fails to compile until it does.
//! `tests/vocabulary.rs` holds docs/rules.md and docs/spec-conformance.md to the table.

use crate::action::Side;
use crate::event::EventKind;
use serde::{Deserialize, Serialize};

/// What kind of value an operand holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OperandType {
    Text,
    Number,
}

/// The triggers on which an operand has a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Availability {
    Always,
    /// The four work item triggers only.
    WorkEvents,
}

macro_rules! operands {
    ($($operand:ident = $name:literal, $kind:ident, $side:ident, $available:ident;)*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
        #[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
        pub enum Operand {
            $(#[serde(rename = $name)] $operand,)*
        }

        impl Operand {
            /// Every operand, in the table's order.
            pub const ALL: &'static [Operand] = &[$(Operand::$operand),*];

            /// The name rules and traces use.
            pub const fn name(self) -> &'static str {
                match self { $(Operand::$operand => $name,)* }
            }

            pub const fn value_type(self) -> OperandType {
                match self { $(Operand::$operand => OperandType::$kind,)* }
            }

            /// The side whose presence the operand reads.
            pub const fn side(self) -> Side {
                match self { $(Operand::$operand => Side::$side,)* }
            }

            pub const fn availability(self) -> Availability {
                match self { $(Operand::$operand => Availability::$available,)* }
            }
        }
    };
}

operands! {
    TelephonyNewState = "telephony.newState", Text, Telephony, Always;
    TelephonyOldState = "telephony.oldState", Text, Telephony, Always;
    OmniNewStatus = "omni.newStatus", Text, Omni, Always;
    OmniOldStatus = "omni.oldStatus", Text, Omni, Always;
    OmniChannel = "omni.channel", Text, Omni, WorkEvents;
    PreviousWorkload = "omni.previousWorkload", Number, Omni, Always;
    PreviousWorkloadPct = "omni.previousWorkloadPct", Number, Omni, Always;
    NewWorkload = "omni.newWorkload", Number, Omni, Always;
    NewWorkloadPct = "omni.newWorkloadPct", Number, Omni, Always;
    ConfiguredCapacity = "omni.configuredCapacity", Number, Omni, Always;
}

impl Operand {
    /// Whether the operand has a value on events of `trigger`.
    pub fn available_on(self, trigger: EventKind) -> bool {
        match self.availability() {
            Availability::Always => true,
            Availability::WorkEvents => trigger.is_work(),
        }
    }

    /// Text naming a telephony state (the compiler checks such names).
    pub fn is_telephony_state(self) -> bool {
        self.side() == Side::Telephony && self.value_type() == OperandType::Text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_names_are_the_table_names() {
        for &operand in Operand::ALL {
            let json = serde_json::to_value(operand).expect("serialises");
            assert_eq!(json, operand.name());
            let back: Operand = serde_json::from_value(json).expect("deserialises");
            assert_eq!(back, operand);
            assert!(operand.name().starts_with(operand.side().name()));
        }
    }
}
