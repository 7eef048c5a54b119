// omnisync's telephony relay: a classic script for an Open CTI softphone page (the
// org's own, or lwc-wrapper/.../pages/OmniSyncSoftphone.page), shipped in the omnisync
// static resource. The phone lives in the softphone's frame; the engine lives in the
// OmniSyncHost page, another frame. The relay reports the phone's agent state there and
// carries out the engine's commands over the OmniSync__c Lightning Message Service
// channel (sforce.opencti.subscribe / publish / unsubscribe, API 47+). Protocol and what
// it protects against: docs/message-channel.md, "Telephony"; the host's side is
// messageChannelTelephony in www/omnisync.js.
//
// The phone, first found wins (or data-client="connect" | "softphone"):
//   1. Amazon Connect Streams: the page's `connect` global, whose CCP the page itself
//      starts (before or after this script: the relay waits for it). The relay never
//      starts a CCP; it subscribes again when the page terminates the CCP and starts a
//      new one.
//   2. window.omnisyncSoftphone: { onStateChange(cb({oldState, newState})), getState(),
//      setState(name) -> promise, getStates()? -> names it offers }.
//
// Started by loading the script (configuration in data-* attributes of its <script>
// element: data-channel, default OmniSync__c; data-heartbeat-ms; data-command-timeout-ms;
// data-enqueue-next-state; data-client; data-manual to start it yourself; or in a
// window.omnisyncRelayOptions object set by an earlier script, which wins), or by
// OmniSyncRelay.start(options).
(function (global) {
  "use strict";

  var VERSION = 2;
  var REMEMBERED = 200; // command ids kept to act on a duplicate delivery only once
  var DEFAULTS = {
    channel: "OmniSync__c", heartbeatMs: 5000, commandTimeoutMs: 8000, enqueueNextState: false,
    ccpWaitMs: 60000, pollMs: 500, queryMs: 3000,
  };
  // Streams' "no state yet": the oldState of the first agent data in a page.
  var NO_STATE = "Init";

  function relayError(code, message) {
    return { code: code, message: message };
  }

  /** The words of a refusal: Streams passes its error as a JSON string of {type, message, stack}. */
  function describe(error) {
    if (typeof error === "string") {
      try {
        var parsed = JSON.parse(error);
        if (parsed && typeof parsed.message === "string" && parsed.message) return parsed.message.slice(0, 300);
      } catch (ignored) { /* a plain string */ }
      return error.slice(0, 300) || "the softphone refused";
    }
    if (error && typeof error === "object" && typeof error.message === "string" && error.message) {
      return error.message.slice(0, 300);
    }
    return "the softphone refused";
  }

  // ------------------------------------------------------------------ pairing keys
  // ECDH (P-256) between the relay and the one host it pairs with, an HMAC-SHA-256 key
  // derived from it, and every later message signed with it: a component that reads
  // the channel learns the public keys, never the shared key.

  var subtle = global.crypto && global.crypto.subtle;

  function randomId() {
    var bytes = global.crypto.getRandomValues(new Uint8Array(16));
    return Array.prototype.map.call(bytes, function (b) { return (b < 16 ? "0" : "") + b.toString(16); }).join("");
  }

  function toBase64(buffer) {
    return global.btoa(String.fromCharCode.apply(null, new Uint8Array(buffer)));
  }

  function fromBase64(text) {
    var raw = global.atob(text);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i += 1) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  /** JSON with keys sorted, so both sides sign the same text whatever the transport did to key order. */
  function canonical(value) {
    if (Array.isArray(value)) return "[" + value.map(canonical).join(",") + "]";
    if (value && typeof value === "object") {
      return "{" + Object.keys(value).sort().filter(function (k) { return k !== "mac" && value[k] !== undefined; })
        .map(function (k) { return JSON.stringify(k) + ":" + canonical(value[k]); }).join(",") + "}";
    }
    return JSON.stringify(value === undefined ? null : value);
  }

  function bytes(text) {
    return new TextEncoder().encode(text);
  }

  function sharedKey(privateKey, peerKey) {
    return subtle.importKey("raw", fromBase64(peerKey), { name: "ECDH", namedCurve: "P-256" }, false, [])
      .then(function (peer) {
        return subtle.deriveKey({ name: "ECDH", public: peer }, privateKey, { name: "HMAC", hash: "SHA-256", length: 256 }, false, ["sign", "verify"]);
      });
  }

  // ------------------------------------------------------------------ phones

  /**
   * Amazon Connect Streams. The event bus exists only once the page's initCCP ran, and
   * terminate() empties it (initCCP then builds a new one): the relay looks for the
   * bus every pollMs and subscribes to each new one. Until an agent arrives on it the
   * phone is not ready.
   */
  function streamsPhone(connect, options, say) {
    var agent = null;
    var bus = null;
    var ready = [];
    var changed = [];
    var lost = [];
    var since = Date.now();
    var waitedTooLong = false;

    function currentBus() {
      try {
        return connect.core && typeof connect.core.getEventBus === "function" ? connect.core.getEventBus() : null;
      } catch (ignored) {
        return null;
      }
    }

    function terminated() {
      return agent !== null && (!connect.core || !connect.core.agentDataProvider);
    }

    function watch() {
      if (terminated()) {
        agent = null;
        since = Date.now();
        lost.forEach(function (cb) { cb("the page terminated the CCP; waiting for it to start again"); });
      }
      var now = currentBus();
      if (!now || now === bus) {
        if (!agent && !waitedTooLong && Date.now() - since > options.ccpWaitMs) {
          waitedTooLong = true;
          say("failed", "no agent from the Amazon Connect CCP after " + Math.round(options.ccpWaitMs / 1000) +
            " s: is the CCP started on this page and the agent logged in? (still waiting)");
        }
        return;
      }
      bus = now;
      connect.agent(function (next) {
        if (bus !== now) return; // an old bus
        agent = next;
        waitedTooLong = false;
        next.onStateChange(function (change) {
          if (agent !== next || !change || change.oldState === change.newState) return;
          // The first agent data of a page is "Init" -> state: a snapshot, not a change.
          if (change.oldState === NO_STATE || change.newState === NO_STATE) return;
          changed.forEach(function (cb) { cb(change.oldState, change.newState); });
        });
        ready.forEach(function (cb) { cb(); });
      });
    }

    var names = function () {
      return agent.getAgentStates().map(function (s) { return s.name; });
    };
    return {
      source: "Amazon Connect",
      start: function () {
        say("waiting", "waiting for the Amazon Connect CCP and its agent");
        watch();
        return global.setInterval(watch, options.pollMs);
      },
      onReady: function (cb) { ready.push(cb); },
      onLost: function (cb) { lost.push(cb); },
      onChange: function (cb) { changed.push(cb); },
      states: function () {
        try { return names(); } catch (ignored) { return []; }
      },
      read: function () {
        return new Promise(function (resolve) {
          var current = agent.getState();
          var name = current && current.name !== NO_STATE ? current.name : null;
          resolve({ state: name, states: names() });
        });
      },
      set: function (name) {
        var state = agent.getAgentStates().filter(function (s) { return s.name === name; })[0];
        if (!state) {
          return Promise.reject(relayError("unknownState", "the phone offers no agent state named " + JSON.stringify(name) +
            " (it offers " + names().slice(0, 10).join(", ") + ")"));
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
    var ready = [];
    return {
      source: "softphone",
      start: function () { ready.forEach(function (cb) { cb(); }); return null; },
      onReady: function (cb) { ready.push(cb); },
      onLost: function () {},
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

  function findPhone(options, say) {
    var connect = options.connect || global.connect;
    var hook = options.softphone || global.omnisyncSoftphone;
    var wantsConnect = !options.client || options.client === "connect";
    var wantsHook = !options.client || options.client === "softphone";
    // Streams defines connect.core and connect.agent as it loads; the CCP comes later.
    if (wantsConnect && connect && typeof connect.agent === "function" && connect.core) return streamsPhone(connect, options, say);
    if (wantsHook && hook && ["onStateChange", "getState", "setState"].every(function (m) { return typeof hook[m] === "function"; })) {
      return hookPhone(hook);
    }
    return null;
  }

  /** The page's status line (#omnisync-softphone-status), when it has one. */
  function statusLine(state, text) {
    var line = global.document && global.document.getElementById("omnisync-softphone-status");
    if (!line) return;
    line.setAttribute("data-state", state);
    line.textContent = "omnisync relay: " + text;
  }

  // ------------------------------------------------------------------ the relay

  /**
   * Starts a relay.
   * @param {object} [overrides] `{channel, heartbeatMs, commandTimeoutMs,
   *   enqueueNextState, client, opencti, connect, softphone, log, ccpWaitMs, pollMs, queryMs}`.
   * @returns {{id: string, stop: function(): void}} the running relay.
   */
  function start(overrides) {
    var options = {};
    Object.keys(DEFAULTS).forEach(function (k) { options[k] = DEFAULTS[k]; });
    Object.keys(overrides || {}).forEach(function (k) { if (overrides[k] !== undefined) options[k] = overrides[k]; });
    // Durations go to setTimeout: clamped, so none wraps past 2^31-1 ms or spins.
    var within = function (value, low, high, fallback) {
      return typeof value === "number" && isFinite(value) ? Math.min(Math.max(value, low), high) : fallback;
    };
    options.heartbeatMs = within(options.heartbeatMs, 50, 60000, DEFAULTS.heartbeatMs);
    options.commandTimeoutMs = within(options.commandTimeoutMs, 50, 120000, DEFAULTS.commandTimeoutMs);
    options.ccpWaitMs = within(options.ccpWaitMs, 100, 600000, DEFAULTS.ccpWaitMs);
    options.pollMs = within(options.pollMs, 20, 60000, DEFAULTS.pollMs);
    options.queryMs = within(options.queryMs, 20, 60000, DEFAULTS.queryMs);
    var log = options.log || global.console;
    var say = options.status || statusLine;
    var opencti = options.opencti || (global.sforce && global.sforce.opencti);
    if (!opencti || typeof opencti.publish !== "function" || typeof opencti.subscribe !== "function") {
      throw new Error("omnisync relay: sforce.opencti is missing: load opencti.js (API 47 or later) before the relay, in Lightning Experience");
    }
    if (!subtle || typeof global.crypto.getRandomValues !== "function") {
      throw new Error("omnisync relay: Web Crypto is missing (a page served over HTTPS has it)");
    }
    var id = "relay-" + randomId();
    var phone = null;
    var ready = false;
    var stopped = false;
    var subscription = null;
    var heartbeat = null;
    var finder = null;
    var watcher = null;
    var commands = {}; // id -> reply once answered, or true while running
    var order = [];
    var refused = {};
    var told = {}; // console pages told this relay is paired with another
    // A reload of this page is this relay's successor: the next relay shows the token
    // whose hash this one gave the host (signed), so the host replaces it at once.
    var store = null;
    try { store = global.sessionStorage || null; } catch (ignored) { store = null; }
    var before = null;
    try { before = store ? JSON.parse(store.getItem("omnisync-relay") || "null") : null; } catch (ignored) { before = null; }
    var successor = randomId();
    try { if (store) store.setItem("omnisync-relay", JSON.stringify({ relay: id, token: successor })); } catch (ignored) { /* private mode */ }
    var successorHash = subtle.digest("SHA-256", bytes(successor)).then(toBase64);
    var succeeds = before && typeof before.relay === "string" && typeof before.token === "string"
      ? { succeeds: before.relay, token: before.token } : {};
    var keys = subtle.generateKey({ name: "ECDH", namedCurve: "P-256" }, false, ["deriveKey"]);
    var publicKey = keys.then(function (pair) { return subtle.exportKey("raw", pair.publicKey); }).then(toBase64);
    // The host this relay is paired with: {id, key (HMAC), seq (its last), bye (signed, ready for pagehide)}.
    var host = null;
    var pairing = null; // a pair request being checked
    var seq = 0;
    var outbox = Promise.resolve();
    var inbox = Promise.resolve();
    var asked = null; // {resolve} of our ping to the host

    function raw(type, fields) {
      if (stopped) return;
      var message = { kind: "telephony", version: VERSION, type: type, from: "relay", relay: id, source: phone ? phone.source : null };
      Object.keys(fields || {}).forEach(function (k) { message[k] = fields[k]; });
      opencti.publish({ channelName: options.channel, message: message, callback: function (response) {
        if (response && response.success === false) log.warn("omnisync relay: could not publish " + type, response.errors);
      } });
    }

    function signed(type, fields, toHost) {
      var to = toHost || host;
      if (!to) return Promise.resolve(null);
      var message = { kind: "telephony", version: VERSION, type: type, from: "relay", relay: id, host: to.id, seq: (seq += 1), source: phone ? phone.source : null };
      Object.keys(fields || {}).forEach(function (k) { message[k] = fields[k]; });
      return subtle.sign("HMAC", to.key, bytes(canonical(message))).then(function (mac) {
        message.mac = toBase64(mac);
        return message;
      });
    }

    /** Signs and publishes in order (signing is asynchronous; the order of messages is not). */
    function send(type, fields) {
      var to = host;
      outbox = outbox.then(function () { return signed(type, fields, to); }).then(function (message) {
        if (!message || stopped) return;
        opencti.publish({ channelName: options.channel, message: message, callback: function (response) {
          if (response && response.success === false) log.warn("omnisync relay: could not publish " + type, response.errors);
        } });
      }).catch(function (error) { log.warn("omnisync relay: could not sign " + type, error); });
      return outbox;
    }

    function snapshot(reason) {
      if (!ready || !host) return Promise.resolve();
      return phone.read().then(function (read) {
        return send("snapshot", { reason: reason, state: read.state, states: read.states });
      }, function (error) {
        log.warn("omnisync relay: the phone's state could not be read", error);
      });
    }

    function beat() {
      if (ready) send("heartbeat", { everyMs: options.heartbeatMs, replyWithinMs: options.commandTimeoutMs });
    }

    function startBeating() {
      if (heartbeat === null && !stopped && ready && host) {
        beat();
        heartbeat = global.setInterval(beat, options.heartbeatMs);
      }
    }

    function stopBeating() {
      if (heartbeat !== null) global.clearInterval(heartbeat);
      heartbeat = null;
    }

    function remember(commandId, value) {
      if (!Object.prototype.hasOwnProperty.call(commands, commandId)) order.push(commandId);
      commands[commandId] = value;
      while (order.length > REMEMBERED) delete commands[order.shift()];
    }

    function reply(commandId, outcome) {
      var fields = outcome.error ? { id: commandId, ok: false, error: outcome.error } : { id: commandId, ok: true, result: outcome.result };
      remember(commandId, fields);
      send("reply", fields);
    }

    function withTimeout(promise, what) {
      return new Promise(function (resolve, reject) {
        var timer = global.setTimeout(function () {
          reject(relayError("timeout", what + ": the phone did not answer within " + options.commandTimeoutMs + " ms"));
        }, options.commandTimeoutMs);
        promise.then(function (v) { global.clearTimeout(timer); resolve(v); }, function (e) { global.clearTimeout(timer); reject(e); });
      });
    }

    function run(command) {
      var commandId = command.id;
      if (typeof commandId !== "string" || !commandId || commandId.length > 100) return; // nobody to answer
      if (Object.prototype.hasOwnProperty.call(commands, commandId)) {
        // Delivered twice: acted on once; a finished command's reply is sent again.
        if (commands[commandId] !== true) send("reply", commands[commandId]);
        return;
      }
      remember(commandId, true);
      var work;
      if (!ready) work = Promise.reject(relayError("refused", "the softphone is not ready (no agent logged in to the phone)"));
      else if (command.method === "getState") work = Promise.resolve().then(phone.read);
      else if (command.method === "setState" && typeof command.name === "string" && command.name) {
        work = withTimeout(Promise.resolve(command.name).then(phone.set), "setState " + command.name);
      } else if (command.method === "setState") work = Promise.reject(relayError("unknownState", "setState needs a state name"));
      else work = Promise.reject(relayError("unknownMethod", "the relay runs getState and setState, not " + JSON.stringify(command.method)));
      work.then(function (result) { reply(commandId, { result: result }); }, function (error) {
        var known = error && ["unknownState", "refused", "timeout", "unknownMethod"].indexOf(error.code) !== -1;
        reply(commandId, { error: known ? { code: error.code, message: error.message } : relayError("refused", describe(error)) });
      });
    }

    function unpair(why) {
      if (!host) return;
      host = null;
      stopBeating();
      say(ready ? "running" : "waiting", "the console page left (" + why + "); waiting for it");
      publicKey.then(function (key) { raw("hello", { key: key }); });
    }

    /** Pairs with the host that asked, unless the paired one still answers. */
    function pair(message) {
      if (pairing || typeof message.host !== "string" || typeof message.key !== "string" || message.key.length > 200) return;
      if (host && (host.id === message.host || told[message.host])) return;
      var check = host ? ping() : Promise.resolve(false);
      pairing = check.then(function (answered) {
        if (answered) {
          if (Object.keys(told).length < 20) {
            told[message.host] = true;
            raw("refused", { host: message.host, reason: "paired", message: "this softphone is paired with another console page" });
          }
          return null;
        }
        return keys.then(function (pair) { return sharedKey(pair.privateKey, message.key); });
      }).then(function (key) {
        if (!key || stopped) return null;
        var next = { id: message.host, key: key, seq: 0, bye: null };
        return signed("bye", {}, next).then(function (bye) {
          next.bye = bye;
          host = next;
          say(ready ? "running" : "waiting", ready ? "reporting the agent state to omnisync" : "paired; waiting for the phone");
          return successorHash.then(function (next) {
            send("paired", { everyMs: options.heartbeatMs, replyWithinMs: options.commandTimeoutMs, ready: ready, next: next });
            if (ready) snapshot("paired").then(startBeating);
          });
        });
      }).catch(function (error) {
        log.warn("omnisync relay: could not pair with the console page", error);
      }).then(function () { pairing = null; });
    }

    /** Asks the paired host whether it is there; resolves true when it answers in time. */
    function ping() {
      return new Promise(function (resolve) {
        var timer = global.setTimeout(function () { asked = null; resolve(false); }, options.queryMs);
        asked = { resolve: function () { global.clearTimeout(timer); asked = null; resolve(true); } };
        send("ping", {});
      });
    }

    /** A message from the paired host: its signature and its sequence checked first. */
    function fromHost(message) {
      var to = host;
      inbox = inbox.then(function () {
        if (!to || host !== to || typeof message.mac !== "string" || typeof message.seq !== "number") return;
        return subtle.verify("HMAC", to.key, fromBase64(message.mac), bytes(canonical(message))).then(function (valid) {
          if (!valid || host !== to) return;
          if (message.type !== "bye") {
            if (!(message.seq > to.seq)) return; // a replay
            to.seq = message.seq;
          }
          if (asked) asked.resolve();
          if (message.type === "bye") unpair("it said bye");
          else if (message.type === "ping") send("pong", {});
          else if (message.type === "snapshotRequest") snapshot("request");
          else if (message.type === "command") run(message);
        });
      }).catch(function () { /* not base64: not ours */ });
    }

    function listener(message) {
      if (stopped || !message || message.kind !== "telephony") return;
      if (message.version !== VERSION) {
        var key = String(message.version).slice(0, 20);
        if (!refused[key] && Object.keys(refused).length < 10) {
          refused[key] = true;
          log.warn("omnisync relay: telephony message of version " + key + " refused: this relay speaks version " + VERSION + "; update the relay and the host together");
        }
        return;
      }
      if (message.from !== "host") return;
      if (message.type === "hello") {
        if (typeof message.host !== "string") return;
        if (!host) publicKey.then(function (key) { raw("hello", Object.assign({ host: message.host, key: key }, succeeds)); });
        else if (message.host !== host.id && !told[message.host] && Object.keys(told).length < 20) {
          told[message.host] = true;
          raw("refused", { host: message.host, reason: "paired", message: "this softphone is paired with another console page" });
        }
      } else if (message.type === "pair" && message.relay === id) pair(message);
      else if (host && message.host === host.id && message.relay === id) fromHost(message);
    }

    function attach(found) {
      phone = found;
      phone.onChange(function (oldState, newState) {
        if (!ready || stopped || !host) return;
        send("changed", { oldState: oldState == null ? null : oldState, newState: newState, states: phone.states() });
      });
      phone.onReady(function () {
        ready = true;
        say("running", host ? "reporting the agent state to omnisync" : "waiting for the console page");
        snapshot("start").then(startBeating);
      });
      phone.onLost(function (why) {
        ready = false;
        stopBeating();
        say("waiting", why);
        send("notReady", { reason: why });
      });
      watcher = phone.start();
    }

    function onPageHide() {
      // Signed at pairing: a page going away has no time left for Web Crypto.
      if (host && host.bye) {
        opencti.publish({ channelName: options.channel, message: host.bye, callback: function () {} });
      }
    }

    opencti.subscribe({ channelName: options.channel, listener: listener, callback: function (response) {
      // Open CTI answers {success, returnValue: the subscription, errors}.
      if (response && response.success === false) log.warn("omnisync relay: could not subscribe to " + options.channel, response.errors);
      else subscription = response && "returnValue" in response ? response.returnValue : response;
    } });
    if (typeof global.addEventListener === "function") global.addEventListener("pagehide", onPageHide);
    // Say hello to any console page already running.
    publicKey.then(function (key) { raw("hello", Object.assign({ key: key }, succeeds)); });

    var found = findPhone(options, say);
    if (found) attach(found);
    else {
      say("waiting", "no phone on this page yet (Amazon Connect Streams, or window.omnisyncSoftphone)");
      finder = global.setInterval(function () {
        var later = findPhone(options, say);
        if (later) {
          global.clearInterval(finder);
          finder = null;
          attach(later);
        }
      }, options.pollMs);
    }

    return {
      id: id,
      stop: function () {
        onPageHide();
        stopped = true;
        stopBeating();
        if (finder !== null) global.clearInterval(finder);
        if (watcher) global.clearInterval(watcher);
        if (typeof global.removeEventListener === "function") global.removeEventListener("pagehide", onPageHide);
        if (subscription && typeof opencti.unsubscribe === "function") {
          opencti.unsubscribe({ subscription: subscription, callback: function () {} });
        }
      },
    };
  }

  function fromScriptElement(element) {
    var data = element ? element.dataset : {};
    var number = function (v) { return v && Number(v) > 0 ? Math.min(Number(v), 600000) : undefined; };
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
