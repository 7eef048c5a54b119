//! The bridge methods the engine calls, in one table: the Omni-Channel toolkit's
//! (through the host bridge) and the telephony bridge's. Everything that names one of
//! them derives from this table: the method the runtime calls for an action
//! ([`ToolkitCommand::of`]), the reads of a reconcile and the reply keys they are read
//! back by (`crate::read`), the Aura bridge's allow-list and the docs' table (both
//! compared with it by `tests/vocabulary.rs`, through `schema/toolkit.json`), and the
//! shim's bridges (`www/test/toolkit-bridges.test.mjs` checks each has each method).

use crate::action::{Action, Side};

/// What a command passes to its bridge method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arg {
    /// Nothing: a read.
    None,
    /// The Omni-Channel status Id to set (the host bridge wraps it as `{statusId}`).
    StatusId,
    /// The telephony state name to set.
    StateName,
}

/// When the runtime calls a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Use {
    /// To carry out an [`Action`].
    Action,
    /// To log the agent back in after a lost connection.
    Relogin,
    /// On every reconcile read.
    Read,
    /// On the first reconcile read after a (re)load only.
    FirstRead,
}

/// Whether the Aura bridge runs a command on `lightning:omniToolkitAPI` (its
/// allow-list, checked against this column by its Jest test).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BridgeAllows {
    Always,
    /// A telephony command: never sent through that bridge.
    Never,
    /// Only when the rules file the bridge reads itself (the same static resource) has
    /// an action that issues it: the host cannot widen the list.
    IfARuleUsesIt,
}

/// The table: one line per command. Declaring the enum, its list and every column
/// from the same lines means a command cannot be added without all of them.
macro_rules! commands {
    ($($(#[doc = $doc:literal])* $command:ident: $method:literal, $side:ident, $arg:ident, $use:ident, $allows:ident;)*) => {
        /// A bridge method the engine calls.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ToolkitCommand {
            $($(#[doc = $doc])* $command,)*
        }

        impl ToolkitCommand {
            /// Every command, in the table's order (the order reads are made in).
            pub const ALL: &'static [ToolkitCommand] = &[$(ToolkitCommand::$command),*];

            /// The bridge method's name (also the `method` of a message-channel command).
            pub const fn method(self) -> &'static str {
                match self { $(ToolkitCommand::$command => $method,)* }
            }

            /// The bridge it is called on: the host bridge (Omni) or the telephony bridge.
            pub const fn side(self) -> Side {
                match self { $(ToolkitCommand::$command => Side::$side,)* }
            }

            pub const fn arg(self) -> Arg {
                match self { $(ToolkitCommand::$command => Arg::$arg,)* }
            }

            pub const fn used(self) -> Use {
                match self { $(ToolkitCommand::$command => Use::$use,)* }
            }

            pub const fn bridge_allows(self) -> BridgeAllows {
                match self { $(ToolkitCommand::$command => BridgeAllows::$allows,)* }
            }
        }
    };
}

commands! {
    /// Sets the agent's Omni-Channel status, logging the agent in if needed.
    SetStatus: "setServicePresenceStatus", Omni, StatusId, Action, Always;
    /// Logs the agent back in with the last status after a lost connection.
    Login: "login", Omni, StatusId, Relogin, Always;
    /// The current status, or `null` when not logged in.
    ReadStatus: "getServicePresenceStatusId", Omni, None, Read, Always;
    /// The channels of the current status.
    ReadChannels: "getServicePresenceStatusChannels", Omni, None, FirstRead, Always;
    /// The work items open in the agent's workspace.
    ReadWorks: "getAgentWorks", Omni, None, FirstRead, Always;
    /// Configured capacity and current workload.
    ReadWorkload: "getAgentWorkload", Omni, None, Read, Always;
    /// Logs the agent out of Omni-Channel (a `logoutOmni` action).
    Logout: "logout", Omni, None, Action, IfARuleUsesIt;
    /// Sets the telephony state.
    SetPhoneState: "setState", Telephony, StateName, Action, Never;
    /// The current telephony state name.
    ReadPhoneState: "getState", Telephony, None, Read, Never;
}

impl ToolkitCommand {
    /// The command that carries out an action. Every action names its own command, so a
    /// new action cannot fall back on another's method.
    pub fn of(action: &Action) -> ToolkitCommand {
        match action {
            Action::SetOmniStatus { .. } => ToolkitCommand::SetStatus,
            Action::SetTelephonyState { .. } => ToolkitCommand::SetPhoneState,
            Action::LogoutOmni { .. } => ToolkitCommand::Logout,
        }
    }

    /// The reads of a reconcile, in the order they are made: all of them on the first
    /// read after a (re)load, else those made every time.
    pub fn reads(first: bool) -> impl Iterator<Item = ToolkitCommand> {
        ToolkitCommand::ALL
            .iter()
            .copied()
            .filter(move |c| match c.used() {
                Use::Read => true,
                Use::FirstRead => first,
                Use::Action | Use::Relogin => false,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_action_is_carried_out_on_its_own_side() {
        let omni = Action::SetOmniStatus {
            status_id: "0N5".into(),
            developer_name: "Lunch".into(),
            rule: "r".into(),
        };
        let phone = Action::SetTelephonyState {
            state: "Lunch".into(),
            rule: "r".into(),
        };
        let logout = Action::LogoutOmni { rule: "r".into() };
        for action in [omni, phone, logout] {
            let command = ToolkitCommand::of(&action);
            assert_eq!(command.side(), action.side());
            assert_eq!(command.used(), Use::Action);
        }
    }

    #[test]
    fn reads_take_no_argument_and_keep_the_order_of_today() {
        let names = |first| {
            ToolkitCommand::reads(first)
                .map(|c| c.method())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            names(true),
            [
                "getServicePresenceStatusId",
                "getServicePresenceStatusChannels",
                "getAgentWorks",
                "getAgentWorkload",
                "getState"
            ]
        );
        assert_eq!(
            names(false),
            ["getServicePresenceStatusId", "getAgentWorkload", "getState"]
        );
        assert!(ToolkitCommand::reads(true).all(|c| c.arg() == Arg::None));
    }
}
