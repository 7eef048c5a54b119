/* eslint-disable no-unused-expressions -- an Aura helper is a bare object literal */
({
    // The bridge's side of the OmniSync__c protocol (docs/message-channel.md); the
    // other side is messageChannelHost in www/omnisync.js. ES5 only: this file is
    // Aura source, and Jest loads it as text (see __tests__).

    // The ten omniToolkitAPI methods a command may name. A command is matched against
    // this list and never against the toolkit's own properties, so a message cannot
    // make the bridge call an arbitrary function.
    toolkitMethods: function () {
        return [
            "login",
            "logout",
            "setServicePresenceStatus",
            "getServicePresenceStatusId",
            "getServicePresenceStatusChannels",
            "getAgentWorkload",
            "getAgentWorks",
            "acceptAgentWork",
            "declineAgentWork",
            "closeAgentWork"
        ];
    },

    // How many command ids to remember for duplicate detection; the host numbers its
    // commands, so a duplicate can only be a recent one.
    rememberedIds: function () {
        return 200;
    },

    // Forwards a lightning:omniChannel* event with every field of its payload (reason
    // included when the release sends one). Fields are not parsed here: the engine
    // reads numbers sent as strings itself. Absent (undefined) fields are left out.
    forwardEvent: function (component, type, event) {
        var params = event && typeof event.getParams === "function" ? event.getParams() : null;
        var normalised = this.plain(params || {});
        normalised.type = type;
        normalised.at = Date.now();
        this.publish(component, { kind: "event", event: normalised });
    },

    // Everything published on the channel arrives here, the bridge's own events and
    // replies and the panel's state included: only commands concern the bridge.
    handleMessage: function (component, message) {
        var payload = message && typeof message.getParams === "function" ? message.getParams() : message;
        if (payload && payload.kind === "command") {
            return this.executeCommand(component, payload);
        }
        return null;
    },

    // Runs one command on the toolkit and answers it exactly once. Returns the
    // pending toolkit call (null when answered at once) for tests; Aura ignores it.
    executeCommand: function (component, command) {
        var self = this;
        var id = command.id;
        var method = command.method;
        var args = command.args;
        var replied = false;
        var toolkit;
        var pending;

        function reply(outcome) {
            if (replied) {
                return;
            }
            replied = true;
            outcome.kind = "reply";
            outcome.id = id;
            self.publish(component, outcome);
        }

        // Without an id there is nobody to answer; a repeated id was answered already.
        if (id === undefined || id === null || !this.firstSight(component, id)) {
            return null;
        }
        if (typeof method !== "string" || this.toolkitMethods().indexOf(method) === -1) {
            reply(this.refusal("unknownMethod", "omniToolkitAPI has no command " + JSON.stringify(method)));
            return null;
        }
        if (args !== undefined && args !== null && !Array.isArray(args)) {
            reply(this.refusal("rejected", method + ": args must be an array"));
            return null;
        }
        toolkit = component.find("omniToolkit");
        if (!toolkit || typeof toolkit[method] !== "function") {
            reply(this.refusal("rejected", method + ": lightning:omniToolkitAPI is not available"));
            return null;
        }
        try {
            pending = args && args.length > 0 ? toolkit[method](args[0]) : toolkit[method]();
        } catch (error) {
            reply(this.failure(error));
            return null;
        }
        // Two-argument then: a failure while publishing the success reply must not
        // turn into a second, error reply (it goes to Aura's error reporting instead).
        return Promise.resolve(pending).then(
            $A.getCallback(function (result) {
                reply({ ok: true, result: self.plain(result) });
            }),
            $A.getCallback(function (error) {
                reply(self.failure(error));
            })
        );
    },

    // True the first time a command id is seen by this component.
    firstSight: function (component, id) {
        var seen = (component.get("v.handledIds") || []).slice();
        if (seen.indexOf(id) !== -1) {
            return false;
        }
        seen.push(id);
        if (seen.length > this.rememberedIds()) {
            seen.shift();
        }
        component.set("v.handledIds", seen);
        return true;
    },

    refusal: function (code, message) {
        return { ok: false, error: { code: code, message: message } };
    },

    // A rejected or throwing toolkit call. The code is "connection" when the toolkit
    // says its connection was lost (the engine then logs the agent back in), else
    // "rejected". The message is passed on unchanged: the host recognises "logged
    // out" rejections by it.
    failure: function (error) {
        var message = this.errorMessage(error);
        var code = this.isConnectionError(error, message) ? "connection" : "rejected";
        return this.refusal(code, message);
    },

    // The toolkit does not document its rejection texts. A lost connection is a
    // message naming the connection as lost, closed, dropped, interrupted, reset or
    // timed out, within one sentence ("Connection lost", "The connection to
    // Omni-Channel was lost.", "Lost connection to the server"), or an error that
    // already carries code "connection". "disconnected" alone is not enough: logouts
    // forced by a login elsewhere are worded that way, and logging back in would
    // fight the other session.
    isConnectionError: function (error, message) {
        if (error && typeof error === "object" && error.code === "connection") {
            return true;
        }
        return /\bconnection\b[^.;]*\b(lost|closed|dropped|interrupted|reset|timed out)\b|\b(lost|dropped|interrupted)\b[^.;]*\bconnection\b/i.test(message);
    },

    // The toolkit rejects with an Error, a string, an object with a message or, like
    // Aura server actions, an array of {message}.
    errorMessage: function (error) {
        var text;
        if (typeof error === "string") {
            return error;
        }
        if (error && typeof error.message === "string") {
            return error.message;
        }
        if (Array.isArray(error) && error.length > 0 && error[0] && typeof error[0].message === "string") {
            return error[0].message;
        }
        text = this.json(error);
        return typeof text === "string" ? text : "the Omni-Channel toolkit call failed";
    },

    // Messages must be serialisable: a JSON round trip drops functions and undefined
    // fields and unwraps Locker proxies. What JSON cannot hold is copied shallowly.
    plain: function (value) {
        var text;
        var copy;
        var key;
        if (value === undefined) {
            return null;
        }
        text = this.json(value);
        if (typeof text === "string") {
            return JSON.parse(text);
        }
        copy = {};
        for (key in value) {
            if (Object.prototype.hasOwnProperty.call(value, key) && value[key] !== undefined) {
                copy[key] = value[key];
            }
        }
        return copy;
    },

    // JSON text, or undefined for a value JSON cannot hold (cyclic, BigInt).
    json: function (value) {
        try {
            return JSON.stringify(value);
        } catch (unserialisable) { // eslint-disable-line no-unused-vars -- ES5 has no optional catch binding
            return undefined;
        }
    },

    // A component destroyed while a toolkit call was pending has no channel left;
    // the host then times the command out.
    publish: function (component, message) {
        var channel;
        if (typeof component.isValid === "function" && !component.isValid()) {
            return;
        }
        channel = component.find("channel");
        if (channel) {
            channel.publish(message);
        }
    }
})
