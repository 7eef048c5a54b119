// omnisync's telephony relay: a classic script for an Open CTI softphone page (the
// org's own, or lwc-wrapper/.../pages/OmniSyncSoftphone.page), shipped in the omnisync
// static resource. The phone lives in the softphone's frame; the engine lives in the
// OmniSyncHost page, another frame on another origin. The relay reports the phone's
// agent state there and carries out the engine's commands, over the OmniSync__c
// Lightning Message Service channel through sforce.opencti.subscribe / publish /
// unsubscribe (API 47+, Lightning Experience). Protocol: docs/message-channel.md,
// "Telephony"; the host's side is messageChannelTelephony in www/omnisync.js.
//
// The phone, first found wins (or data-client="connect" | "softphone"):
//   1. Amazon Connect Streams: the page's `connect` global, whose CCP the page itself
//      starts. The relay only calls connect.agent(callback): it never starts a CCP (one
//      CCP per page; a second initCCP is not supported).
//   2. window.omnisyncSoftphone: { onStateChange(cb({oldState, newState})), getState(),
//      setState(name) -> promise, getStates()? -> names it offers }.
//
// Started by loading the script (configuration in data-* attributes of its <script>
// element: data-channel, default OmniSync__c; data-heartbeat-ms; data-command-timeout-ms;
// data-enqueue-next-state; data-client; data-manual to start it yourself; or in a
// window.omnisyncRelayOptions object set by an earlier script, which wins), or by
// OmniSyncRelay.start(options). A reload of the softphone is a new relay: it announces
// itself with a snapshot, never with a state change, so nothing moves.
(function (global) {
  "use strict";

  var VERSION = 1;
  var REMEMBERED = 200; // command ids kept to act on a duplicate delivery only once
  var DEFAULTS = { channel: "OmniSync__c", heartbeatMs: 5000, commandTimeoutMs: 8000, enqueueNextState: false };

  function relayError(code, message) {
    return { code: code, message: message };
  }

  function describe(error) {
    if (error && typeof error === "object") {
      if (typeof error.message === "string") return error.message;
      try {
        return JSON.stringify(error).slice(0, 300);
      } catch (ignored) {
        return "the softphone refused";
      }
    }
    return String(error || "the softphone refused");
  }

  // ------------------------------------------------------------------ phones

  /** Amazon Connect Streams: one agent object per CCP session, states set by object. */
  function streamsPhone(connect, options) {
    var agent = null;
    var seen = [];
    var ready = [];
    var changed = [];
    connect.agent(function (next) {
      agent = next;
      if (seen.indexOf(next) === -1) {
        seen.push(next);
        next.onStateChange(function (change) {
          if (agent !== next || !change || change.oldState === change.newState) return;
          changed.forEach(function (cb) { cb(change.oldState, change.newState); });
        });
      }
      // A new agent object (a CCP reload inside the softphone) is a snapshot too.
      ready.forEach(function (cb) { cb(); });
    });
    var states = function () {
      return agent.getAgentStates().map(function (s) { return s.name; });
    };
    return {
      source: "Amazon Connect",
      onReady: function (cb) { ready.push(cb); if (agent) cb(); },
      onChange: function (cb) { changed.push(cb); },
      states: states,
      read: function () {
        var current = agent.getState();
        return Promise.resolve({ state: current ? current.name : null, states: states() });
      },
      set: function (name) {
        var state = agent.getAgentStates().filter(function (s) { return s.name === name; })[0];
        if (!state) {
          return Promise.reject(relayError("unknownState", "the phone offers no agent state named " + JSON.stringify(name) +
            " (it offers " + states().slice(0, 10).join(", ") + ")"));
        }
        return new Promise(function (resolve, reject) {
          agent.setState(state, {
            success: function () { resolve({ state: name }); },
            failure: function (error) { reject(relayError("refused", describe(error))); },
          }, { enqueueNextState: options.enqueueNextState });
        });
      },
    };
  }

  /** window.omnisyncSoftphone: names in, names out. */
  function hookPhone(hook) {
    var offered = function () {
      return typeof hook.getStates === "function" ? hook.getStates() : null;
    };
    return {
      source: "softphone",
      onReady: function (cb) { cb(); },
      onChange: function (cb) {
        hook.onStateChange(function (change) {
          if (change && change.oldState !== change.newState) cb(change.oldState, change.newState);
        });
      },
      states: function () { return offered() || []; },
      read: function () {
        return Promise.resolve(hook.getState()).then(function (state) {
          return { state: typeof state === "string" ? state : null, states: offered() || [] };
        });
      },
      set: function (name) {
        var states = offered();
        if (states && states.indexOf(name) === -1) {
          return Promise.reject(relayError("unknownState", "the phone offers no agent state named " + JSON.stringify(name)));
        }
        return Promise.resolve()
          .then(function () { return hook.setState(name); })
          .then(function () { return { state: name }; }, function (error) { throw relayError("refused", describe(error)); });
      },
    };
  }

  function findPhone(options) {
    var connect = options.connect || global.connect;
    var hook = options.softphone || global.omnisyncSoftphone;
    var wantsConnect = !options.client || options.client === "connect";
    var wantsHook = !options.client || options.client === "softphone";
    if (wantsConnect && connect && typeof connect.agent === "function") return streamsPhone(connect, options);
    if (wantsHook && hook && ["onStateChange", "getState", "setState"].every(function (m) { return typeof hook[m] === "function"; })) {
      return hookPhone(hook);
    }
    return null;
  }

  // ------------------------------------------------------------------ the relay

  /**
   * Starts a relay.
   * @param {object} [overrides] `{channel, heartbeatMs, commandTimeoutMs,
   *   enqueueNextState, client, opencti, connect, softphone, log}`.
   * @returns {{id: string, stop: function(): void}} the running relay.
   */
  function start(overrides) {
    var options = {};
    Object.keys(DEFAULTS).forEach(function (k) { options[k] = DEFAULTS[k]; });
    Object.keys(overrides || {}).forEach(function (k) { if (overrides[k] !== undefined) options[k] = overrides[k]; });
    var log = options.log || global.console;
    var opencti = options.opencti || (global.sforce && global.sforce.opencti);
    if (!opencti || typeof opencti.publish !== "function" || typeof opencti.subscribe !== "function") {
      throw new Error("omnisync relay: sforce.opencti is missing: load opencti.js (API 47 or later) before the relay, in Lightning Experience");
    }
    var id = "relay-" + Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 8);
    var phone = null;
    var ready = false;
    var stopped = false;
    var subscription = null;
    var heartbeat = null;
    var finder = null;
    var commands = {}; // id -> reply once answered, or true while running
    var order = [];
    var refused = {};

    function publish(type, fields) {
      if (stopped) return;
      var message = { kind: "telephony", version: VERSION, type: type, relay: id, source: phone ? phone.source : null };
      Object.keys(fields || {}).forEach(function (k) { message[k] = fields[k]; });
      opencti.publish({ channelName: options.channel, message: message, callback: function (response) {
        if (response && response.success === false) log.warn("omnisync relay: could not publish " + type, response.errors);
      } });
    }

    function snapshot(reason) {
      return phone.read().then(function (read) {
        publish("snapshot", { reason: reason, state: read.state, states: read.states });
      }, function (error) {
        log.warn("omnisync relay: the phone's state could not be read", error);
      });
    }

    function beat() {
      publish("heartbeat", { everyMs: options.heartbeatMs, replyWithinMs: options.commandTimeoutMs });
    }

    function remember(commandId, value) {
      if (!Object.prototype.hasOwnProperty.call(commands, commandId)) order.push(commandId);
      commands[commandId] = value;
      while (order.length > REMEMBERED) delete commands[order.shift()];
    }

    function reply(commandId, outcome) {
      var fields = outcome.error ? { id: commandId, ok: false, error: outcome.error } : { id: commandId, ok: true, result: outcome.result };
      remember(commandId, fields);
      publish("reply", fields);
    }

    function withTimeout(promise, what) {
      return new Promise(function (resolve, reject) {
        var timer = setTimeout(function () {
          reject(relayError("timeout", what + ": the phone did not answer within " + options.commandTimeoutMs + " ms"));
        }, options.commandTimeoutMs);
        promise.then(function (v) { clearTimeout(timer); resolve(v); }, function (e) { clearTimeout(timer); reject(e); });
      });
    }

    function run(command) {
      var commandId = command.id;
      if (typeof commandId !== "string" || !commandId) return; // nobody to answer
      if (Object.prototype.hasOwnProperty.call(commands, commandId)) {
        // Delivered twice: acted on once; a finished command's reply is sent again.
        if (commands[commandId] !== true) publish("reply", commands[commandId]);
        return;
      }
      remember(commandId, true);
      var work;
      if (!ready) work = Promise.reject(relayError("refused", "the softphone is not ready (no agent logged in to the phone)"));
      else if (command.method === "getState") work = phone.read();
      else if (command.method === "setState" && typeof command.name === "string" && command.name) {
        work = withTimeout(phone.set(command.name), "setState " + command.name);
      } else if (command.method === "setState") work = Promise.reject(relayError("unknownState", "setState needs a state name"));
      else work = Promise.reject(relayError("unknownMethod", "the relay runs getState and setState, not " + JSON.stringify(command.method)));
      work.then(function (result) { reply(commandId, { result: result }); }, function (error) {
        var known = error && ["unknownState", "refused", "timeout", "unknownMethod"].indexOf(error.code) !== -1;
        reply(commandId, { error: known ? { code: error.code, message: error.message } : relayError("refused", describe(error)) });
      });
    }

    function listener(message) {
      if (stopped || !message || message.kind !== "telephony") return;
      if (message.version !== VERSION) {
        var key = String(message.version);
        if (!refused[key]) {
          refused[key] = true;
          log.warn("omnisync relay: telephony message of version " + key + " refused: this relay speaks version " + VERSION + "; update the relay and the host together");
        }
        return;
      }
      if (message.type === "snapshotRequest" && ready) snapshot("request");
      else if (message.type === "command") run(message);
    }

    function attach(found) {
      phone = found;
      phone.onChange(function (oldState, newState) {
        if (!ready || stopped) return;
        publish("changed", { oldState: oldState == null ? null : oldState, newState: newState, states: phone.states() });
      });
      phone.onReady(function () {
        ready = true;
        snapshot("start").then(function () {
          if (heartbeat === null && !stopped) {
            beat();
            heartbeat = setInterval(beat, options.heartbeatMs);
          }
        });
      });
    }

    opencti.subscribe({ channelName: options.channel, listener: listener, callback: function (response) {
      // Open CTI answers {success, returnValue: the subscription, errors}.
      if (response && response.success === false) log.warn("omnisync relay: could not subscribe to " + options.channel, response.errors);
      else subscription = response && "returnValue" in response ? response.returnValue : response;
    } });

    var found = findPhone(options);
    if (found) attach(found);
    else {
      log.warn("omnisync relay: no phone on this page yet (a `connect` global from Amazon Connect Streams, or window.omnisyncSoftphone); waiting for one");
      finder = setInterval(function () {
        var later = findPhone(options);
        if (later) {
          clearInterval(finder);
          finder = null;
          attach(later);
        }
      }, 500);
    }

    return {
      id: id,
      stop: function () {
        stopped = true;
        if (heartbeat !== null) clearInterval(heartbeat);
        if (finder !== null) clearInterval(finder);
        if (subscription && typeof opencti.unsubscribe === "function") {
          opencti.unsubscribe({ subscription: subscription, callback: function () {} });
        }
      },
    };
  }

  function fromScriptElement(element) {
    var data = element ? element.dataset : {};
    var number = function (v) { return v && Number(v) > 0 ? Number(v) : undefined; };
    return {
      channel: data.channel || undefined,
      heartbeatMs: number(data.heartbeatMs),
      commandTimeoutMs: number(data.commandTimeoutMs),
      enqueueNextState: data.enqueueNextState === undefined ? undefined : data.enqueueNextState !== "false",
      client: data.client || undefined,
      manual: data.manual !== undefined,
    };
  }

  global.OmniSyncRelay = { start: start, version: VERSION };
  var config = fromScriptElement(global.document && global.document.currentScript);
  var preset = global.omnisyncRelayOptions || {};
  Object.keys(preset).forEach(function (k) { config[k] = preset[k]; });
  if (config.manual || !global.document) return;
  var boot = function () {
    try {
      global.omnisyncRelay = start(config);
    } catch (error) {
      global.console.warn(error && error.message ? error.message : error);
    }
  };
  if (global.document.readyState === "loading") global.document.addEventListener("DOMContentLoaded", boot);
  else boot();
})(typeof window !== "undefined" ? window : globalThis);
