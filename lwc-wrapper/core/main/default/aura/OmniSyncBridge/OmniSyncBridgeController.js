/* eslint-disable no-unused-expressions -- an Aura controller is a bare object literal */
({
    // Thin on purpose: every handler hands over to the helper, which Jest tests.
    onLoginSuccess: function (component, event, helper) {
        helper.forwardEvent(component, "omni.loginSuccess", event);
    },
    onStatusChanged: function (component, event, helper) {
        helper.forwardEvent(component, "omni.statusChanged", event);
    },
    onLogout: function (component, event, helper) {
        helper.forwardEvent(component, "omni.logout", event);
    },
    onWorkAssigned: function (component, event, helper) {
        helper.forwardEvent(component, "omni.workAssigned", event);
    },
    onWorkAccepted: function (component, event, helper) {
        helper.forwardEvent(component, "omni.workAccepted", event);
    },
    onWorkDeclined: function (component, event, helper) {
        helper.forwardEvent(component, "omni.workDeclined", event);
    },
    onWorkClosed: function (component, event, helper) {
        helper.forwardEvent(component, "omni.workClosed", event);
    },
    onWorkloadChanged: function (component, event, helper) {
        helper.forwardEvent(component, "omni.workloadChanged", event);
    },
    onConnectionError: function (component, event, helper) {
        helper.forwardEvent(component, "omni.connectionError", event);
    },
    onInit: function (component, event, helper) {
        helper.start(component);
    },
    onDestroy: function (component, event, helper) {
        helper.stop(component);
    },
    onTelephony: function (component, event, helper) {
        helper.toHost(component, event.getParam("message"));
    }
})
