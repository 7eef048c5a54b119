/* eslint-disable no-unused-expressions -- an Aura helper is a bare object literal */
({
    // The bridge's side of the port protocol (docs/message-channel.md); the other side
    // is www/salesforce/host.js with messageChannelHost in www/omnisync.js. The bridge
    // frames the OmniSyncHost page at the absolute Visualforce-domain URL its Apex gives
    // (OmniSyncBridgeController.hostFrame), hands it one MessagePort with the nonce of
    // that URL when the frame has loaded, and from then on talks to it over the port
    // only: it takes nothing from window messages. ES5 only: this file is Aura source,
    // and Jest loads it as text (see __tests__).

    // The toolkit methods the engine issues: its writes (setServicePresenceStatus, and
    // login after a lost connection) and its reads (status, workload, and the works and
    // channels read on reload). Anything else (accept, decline, close work...) is
    // answered commandNotAllowed and never reaches the toolkit. A command is matched
    // against this list (and ruleCommands), never against the toolkit's own properties.
    // The engine's table of its commands (schema/toolkit.json) is what the Jest test
    // holds both lists to.
    allowedCommands: function () {
        return [
            "setServicePresenceStatus",
            "login",
            "getServicePresenceStatusId",
            "getAgentWorkload",
            "getAgentWorks",
            "getServicePresenceStatusChannels"
        ];
    },

    // Toolkit methods run only when a rule asks for them: each with the rule action that
    // issues it. The bridge reads the rules itself (the omnisyncRules static resource,
    // the file the host runs, fetched at start); what the host sends cannot add to it.
    ruleCommands: function () {
        return { logout: "logoutOmni" };
    },

    // The commands run now: the fixed list, and those the bridge's own copy of the
    // rules asks for (none until it has been read, or when it cannot be).
    runnableCommands: function (component) {
        var granted = this.relay(component).granted || [];
        return this.allowedCommands().concat(granted);
    },

    // The toolkit methods a rules file's actions issue, from ruleCommands: a rule whose
    // "then" has {logoutOmni: true} grants logout. Text that is not a rules file grants
    // nothing.
    grantedBy: function (text) {
        var rules;
        var asked = {};
        var commands = this.ruleCommands();
        try {
            rules = JSON.parse(text).rules;
        } catch (notJson) { // eslint-disable-line no-unused-vars -- ES5 has no optional catch binding
            return [];
        }
        (Array.isArray(rules) ? rules : []).forEach(function (rule) {
            (rule && Array.isArray(rule.then) ? rule.then : []).forEach(function (action) {
                Object.keys(commands).forEach(function (method) {
                    if (action && action[commands[method]] === true) {
                        asked[method] = true;
                    }
                });
            });
        });
        return Object.keys(commands).filter(function (method) { return asked[method]; });
    },

    // Reads the rules resource once at start (v.rulesUrl, the markup's
    // $Resource.omnisyncRules), from this component's own origin.
    readOwnRules: function (component) {
        var self = this;
        var relay = this.relay(component);
        var url = component.get("v.rulesUrl");
        if (typeof url !== "string" || url === "" || typeof fetch !== "function") {
            return Promise.resolve([]);
        }
        return fetch(url, { credentials: "same-origin" })
            .then(function (response) { return response.ok ? response.text() : ""; })
            .then($A.getCallback(function (text) {
                relay.granted = self.grantedBy(text);
                return relay.granted;
            }), function () { return []; });
    },

    // How many command ids to remember for duplicate detection; the host numbers its
    // commands, so a duplicate can only be a recent one.
    rememberedIds: function () {
        return 200;
    },

    // Any message from the host is a sign of life. It sends its state every 5 s while
    // visible; Chrome runs the timers of a page hidden for 5 minutes about once a
    // minute, so silence counts only past this, checked every checkEveryMs.
    hostSilenceMs: function () {
        return 150000;
    },
    checkEveryMs: function () {
        return 30000;
    },

    // How long the bridge waits for the host's first message after handing it the port.
    handshakeMs: function () {
        return 20000;
    },

    // Work Ids whose service channel is remembered, and how long a look-up may take
    // before the event goes on without it.
    channelCacheSize: function () {
        return 200;
    },
    lookupTimeoutMs: function () {
        return 5000;
    },

    // The bridge's state that is not for the markup: the pairing, the event queue and
    // the channel cache. Kept on the component so that two bridges never share it.
    relay: function (component) {
        var relay = component.get("v.relay");
        if (!relay) {
            relay = {
                port: null, frame: null, heardAt: 0, answered: false, unsent: 0, telephony: null, timers: [],
                queue: [], waiting: false, looked: null, channels: {}, cached: [], granted: []
            };
            component.set("v.relay", relay);
        }
        return relay;
    },

    // Forwards a lightning:omniChannel* event with every field of its payload (reason
    // included when the release sends one). Fields are not parsed here: the engine
    // reads numbers sent as strings itself. Absent (undefined) fields are left out.
    // Work events wait for their service channel (see queueEvent).
    forwardEvent: function (component, type, event) {
        var params = event && typeof event.getParams === "function" ? event.getParams() : null;
        var normalised = this.plain(params || {});
        normalised.type = type;
        normalised.at = Date.now();
        this.queueEvent(component, normalised);
    },

    // Events leave in the order they happened. A work event whose channel is not known
    // yet is held while Apex looks it up, and every later event waits behind it.
    queueEvent: function (component, event) {
        var relay = this.relay(component);
        relay.queue.push(event);
        this.drain(component);
    },

    drain: function (component) {
        var self = this;
        var relay = this.relay(component);
        var event;
        while (relay.queue.length > 0 && !relay.waiting) {
            event = relay.queue[0];
            // One look-up per event: after a failed one it goes on without a channel.
            if (this.needsChannel(event) && relay.looked !== event &&
                    !Object.prototype.hasOwnProperty.call(relay.channels, event.workId)) {
                relay.waiting = true;
                relay.looked = event;
                this.lookUpChannel(component, event.workId, function () {
                    relay.waiting = false;
                    self.drain(component);
                });
                return;
            }
            relay.queue.shift();
            if (this.needsChannel(event) && relay.channels[event.workId]) {
                event.serviceChannel = relay.channels[event.workId];
            }
            this.publish(component, { kind: "event", event: event });
        }
    },

    needsChannel: function (event) {
        return /^omni\.work(Assigned|Accepted|Declined|Closed)$/.test(event.type) &&
            typeof event.workId === "string" && event.workId !== "" && !event.serviceChannel;
    },

    // Asks Apex (OmniSyncWorkChannel.getServiceChannel, user mode) for the work's
    // service channel DeveloperName. A failure or no answer in time leaves the event
    // without one: the engine then falls back to its Id-prefix table. Only answers are
    // cached, so a failed look-up is tried again for the work's next event.
    lookUpChannel: function (component, workId, done) {
        var self = this;
        var finished = false;
        var action = typeof component.get === "function" ? component.get("c.getServiceChannel") : null;
        function finish(name) {
            if (finished) {
                return;
            }
            finished = true;
            if (typeof name === "string" && name !== "") {
                self.remember(component, workId, name);
            }
            done();
        }
        if (!action || typeof action.setParams !== "function") {
            finish(null);
            return;
        }
        action.setParams({ workId: workId });
        action.setCallback(this, function (response) {
            var ok = response && typeof response.getState === "function" && response.getState() === "SUCCESS";
            finish(ok ? response.getReturnValue() : null);
        });
        setTimeout($A.getCallback(function () { finish(null); }), this.lookupTimeoutMs());
        $A.enqueueAction(action);
    },

    remember: function (component, workId, name) {
        var relay = this.relay(component);
        relay.channels[workId] = name;
        relay.cached.push(workId);
        if (relay.cached.length > this.channelCacheSize()) {
            delete relay.channels[relay.cached.shift()];
        }
    },

    // ---------------------------------------------------------------- the host frame

    // At init: asks Apex where the host is, frames it, and starts watching its life
    // and the telephony channel (when the optional softphone folder is deployed).
    start: function (component) {
        var self = this;
        var action = component.get("c.hostFrame");
        var relay = this.relay(component);
        action.setCallback(this, function (response) {
            if (response.getState() !== "SUCCESS") {
                self.showError(component, "The engine page could not be placed: OmniSyncBridgeController.hostFrame failed (" +
                    self.errorMessage(response.getError()) + ")");
                return;
            }
            self.mountHost(component, response.getReturnValue());
        });
        $A.enqueueAction(action);
        relay.timers.push(setInterval($A.getCallback(function () { self.checkLife(component); }), this.checkEveryMs()));
        relay.wake = $A.getCallback(function (event) { self.wake(component, event); });
        document.addEventListener("visibilitychange", relay.wake);
        document.addEventListener("resume", relay.wake);
        this.linkTelephony(component);
        this.readOwnRules(component);
    },

    // The iframe, created here so that its load event is ours from the start. Its src is
    // the absolute URL Apex gave; the port goes to the origin of that URL only.
    mountHost: function (component, frame) {
        var self = this;
        var container = component.find("hostFrame");
        var element = container && typeof container.getElement === "function" ? container.getElement() : null;
        var iframe = document.createElement("iframe");
        var relay = this.relay(component);
        relay.frame = frame;
        iframe.setAttribute("title", "omnisync engine");
        iframe.className = "omnisync-host";
        iframe.addEventListener("load", $A.getCallback(function () { self.connect(component, iframe); }));
        iframe.src = frame.src;
        if (element) {
            element.appendChild(iframe);
        }
        return iframe;
    },

    // On every load of the frame (a reload included): a new channel, one port handed
    // over with the nonce, the other kept. Until the host answers on it, nothing is sent.
    connect: function (component, iframe) {
        var self = this;
        var relay = this.relay(component);
        var channel = new MessageChannel();
        var target = new URL(relay.frame.src, window.location.href).origin;
        if (relay.port) {
            relay.port.close();
        }
        relay.port = channel.port1;
        relay.answered = false;
        relay.port.onmessage = $A.getCallback(function (event) { self.fromHost(component, event.data); });
        iframe.contentWindow.postMessage({ omnisync: "connect", nonce: relay.frame.nonce }, target, [channel.port2]);
        relay.timers.push(setTimeout($A.getCallback(function () {
            if (!relay.answered && relay.port === channel.port1) {
                self.showError(component, "The engine page did not answer on its port within " + self.handshakeMs() / 1000 +
                    " s. Its frame must load the absolute Visualforce-domain URL OmniSyncBridgeController.hostFrame gives " +
                    "(" + relay.frame.src + "): a relative /apex/ URL is sandboxed by Lightning Web Security.");
            }
        }), this.handshakeMs()));
    },

    // Everything the host sends: commands run on the toolkit, its state goes to the
    // panel, telephony goes out on the telephony channel unread. Any message is life.
    fromHost: function (component, message) {
        var relay = this.relay(component);
        relay.heardAt = Date.now();
        relay.answered = true;
        if (component.get("v.hostSilent")) {
            component.set("v.hostSilent", false);
        }
        if (!message || typeof message !== "object") {
            return null;
        }
        if (message.kind === "command") {
            return this.executeCommand(component, message);
        }
        if (message.kind === "state") {
            component.set("v.hostState", message);
        } else if (message.kind === "telephony" && relay.telephony) {
            relay.telephony.publish(message);
        }
        return null;
    },

    // A silent host is shown, never acted on: a hidden console runs timers late.
    checkLife: function (component) {
        var relay = this.relay(component);
        if (relay.answered && Date.now() - relay.heardAt > this.hostSilenceMs() && !component.get("v.hostSilent")) {
            component.set("v.hostSilent", true);
        }
    },

    // Visible again, or resumed after a freeze (a frozen page may resume hidden): the
    // silence clock starts over and the host is asked for its state at once.
    wake: function (component, event) {
        var relay = this.relay(component);
        var hidden = event && event.type === "visibilitychange" && document.visibilityState !== "visible";
        if (hidden || !relay.port) {
            return;
        }
        relay.heardAt = Date.now();
        this.publish(component, { kind: "ping" });
    },

    showError: function (component, text) {
        component.set("v.hostState", { kind: "state", error: text });
    },

    // The telephony channel lives in the optional softphone folder, so it is reached
    // through a component created by name: without that folder there is none, and the
    // bridge runs without telephony forwarding.
    linkTelephony: function (component) {
        var self = this;
        $A.createComponent("c:omniSyncTelephonyLink", { ontelephony: component.getReference("c.onTelephony") },
            function (link, status) {
                if (status !== "SUCCESS") {
                    return;
                }
                self.relay(component).telephony = link;
                component.set("v.telephonyLink", [link]);
            });
    },

    // A telephony message from the channel, for the host, verbatim.
    toHost: function (component, message) {
        if (message && message.kind === "telephony") {
            this.publish(component, message);
        }
    },

    stop: function (component) {
        var relay = this.relay(component);
        relay.timers.forEach(function (timer) {
            clearTimeout(timer);
            clearInterval(timer);
        });
        relay.timers = [];
        if (relay.wake) {
            document.removeEventListener("visibilitychange", relay.wake);
            document.removeEventListener("resume", relay.wake);
        }
        if (relay.port) {
            relay.port.close();
            relay.port = null;
        }
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
        if (typeof method !== "string" || this.runnableCommands(component).indexOf(method) === -1) {
            reply(this.refusal("commandNotAllowed", "the bridge does not run " + JSON.stringify(method) +
                ": it runs only " + this.runnableCommands(component).join(", ")));
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

    // A rejected or throwing toolkit call: "connection" when the toolkit says its
    // connection was lost, else "rejected". The message is passed on unchanged: the
    // host recognises "logged out" rejections by it.
    failure: function (error) {
        var message = this.errorMessage(error);
        var code = this.isConnectionError(error, message) ? "connection" : "rejected";
        return this.refusal(code, message);
    },

    // The fallback for a lost connection. The signal is lightning:omniChannelConnectionError,
    // forwarded as the event omni.connectionError (the engine logs the agent back in);
    // a command that fails before that event arrives is recognised by its text. The
    // toolkit does not document its rejection texts: a lost connection is a message
    // naming the connection as lost, closed, dropped, interrupted, reset or timed out
    // within one sentence, or an error that already carries code "connection".
    // "disconnected" alone is not enough: logouts forced by a login elsewhere are
    // worded that way, and logging back in would fight the other session.
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

    // Over the port only. A component destroyed while a toolkit call was pending has no
    // port left; the host then times the command out. Nothing is sent before the frame
    // has loaded (the host reads both sides when it starts).
    publish: function (component, message) {
        var relay;
        if (typeof component.isValid === "function" && !component.isValid()) {
            return;
        }
        relay = this.relay(component);
        if (!relay.port) {
            relay.unsent += 1;
            return;
        }
        relay.port.postMessage(message);
    }
})
