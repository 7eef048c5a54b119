// Real-time event monitoring's logout event: the agent left Salesforce, so a presence
// event "Logged out of Salesforce" follows (OmniSyncLogoutHandler).
trigger OmniSyncLogout on LogoutEventStream (after insert) {
    OmniSyncLogoutHandler.handle(Trigger.new);
}
