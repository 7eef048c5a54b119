// omnisync's telephony relay, for an Open CTI softphone page (the org's own, or
// lwc-wrapper/.../pages/OmniSyncSoftphone.page). The phone lives in the softphone's
// frame; the engine lives in the OmniSyncHost page, another frame. The relay reports
// the phone's agent state there and carries out the engine's commands over the
// OmniSync__c Lightning Message Service channel (sforce.opencti.subscribe / publish /
// unsubscribe, API 47+). Protocol and what it protects against:
// docs/message-channel.md, "Telephony"; the host's side is www/phones/channel.js.
//
// An ES module: relay-script.js (the entry) and the phone adapters of www/phones/ it
// imports are bundled by `npm run build:relay` into dist/relay.js, the classic script
// the omnisync static resource ships as relay.js (docs/telephony.md).
//
// The phone: the one phone choice of www/phones/choose.js (Amazon Connect Streams,
// then NICE CXone's agent SDK (the page's CXoneAcdClient), then
// window.omnisyncSoftphone; or data-client="connect" | "cxone" | "hook"), through the same
// adapters the host page uses. The relay never starts a CCP: the Amazon Connect
// adapter waits for the page's, and follows it when the page terminates the CCP and
// starts a new one.
import { choosePhone } from "../phones/choose.js";
import { refusalMessage as describe } from "../phones/shared.js";
import { signer } from "../phones/signing.js";

/** The telephony protocol version: the host's www/phones/channel.js speaks the same. */
export const VERSION = 2;
var REMEMBERED = 200; // command ids kept to act on a duplicate delivery only once
var DEFAULTS = {
  channel: "OmniSync__c", heartbeatMs: 5000, commandTimeoutMs: 8000, enqueueNextState: false,
  ccpWaitMs: 60000, pollMs: 500, queryMs: 3000,
};

function relayError(code, message) {
  return { code: code, message: message };
}

/** The page's status line (#omnisync-softphone-status), when it has one. */
function statusLine(global, state, text) {
  var line = global.document && global.document.getElementById("omnisync-softphone-status");
  if (!line) return;
  line.setAttribute("data-state", state);
  line.textContent = "omnisync relay: " + text;
}

// ------------------------------------------------------------------ the relay

/**
 * Starts a relay.
 * @param {object} [overrides] `{channel, heartbeatMs, commandTimeoutMs,
 *   enqueueNextState, client, opencti, connect, CXoneAcdClient, softphone, log, status, ccpWaitMs, pollMs, queryMs}`.
 * @param {object} [global] the page's window (its `sforce`, `connect`,
 *   `omnisyncSoftphone`, `crypto`, `sessionStorage`, `document`, `console`).
 * @returns {{id: string, stop: function(): void}} the running relay.
 */
export function startRelay(overrides, global = globalThis) {
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
  var say = options.status || function (state, text) { statusLine(global, state, text); };
  var opencti = options.opencti || (global.sforce && global.sforce.opencti);
  if (!opencti || typeof opencti.publish !== "function" || typeof opencti.subscribe !== "function") {
    throw new Error("omnisync relay: sforce.opencti is missing: load opencti.js (API 47 or later) before the relay, in Lightning Experience");
  }
  if (!global.crypto || !global.crypto.subtle || typeof global.crypto.getRandomValues !== "function") {
    throw new Error("omnisync relay: Web Crypto is missing (a page served over HTTPS has it)");
  }
  var signing = signer(global.crypto);
  var id = "relay-" + signing.randomId();
  var phone = null;
  var ready = false;
  var stopped = false;
  var subscription = null;
  var heartbeat = null;
  var finder = null;
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
  var successor = signing.randomId();
  try { if (store) store.setItem("omnisync-relay", JSON.stringify({ relay: id, token: successor })); } catch (ignored) { /* private mode */ }
  var successorHash = signing.hash(successor);
  var succeeds = before && typeof before.relay === "string" && typeof before.token === "string"
    ? { succeeds: before.relay, token: before.token } : {};
  var publicKey = signing.publicKey;
  // The host this relay is paired with: {id, key (HMAC), seq (its last), bye (signed, ready for pagehide)}.
  var host = null;
  var pairing = null; // a pair request being checked
  var seq = 0;
  var outbox = Promise.resolve();
  var inbox = Promise.resolve();
  var asked = null; // {resolve} of our ping to the host

  function raw(type, fields) {
    if (stopped) return;
    var message = { kind: "telephony", version: VERSION, type: type, from: "relay", relay: id, source: phone ? phone.label : null };
    Object.keys(fields || {}).forEach(function (k) { message[k] = fields[k]; });
    opencti.publish({ channelName: options.channel, message: message, callback: function (response) {
      if (response && response.success === false) log.warn("omnisync relay: could not publish " + type, response.errors);
    } });
  }

  function signed(type, fields, toHost) {
    var to = toHost || host;
    if (!to) return Promise.resolve(null);
    var message = { kind: "telephony", version: VERSION, type: type, from: "relay", relay: id, host: to.id, seq: (seq += 1), source: phone ? phone.label : null };
    Object.keys(fields || {}).forEach(function (k) { message[k] = fields[k]; });
    return signing.sign(to.key, message);
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
    return read().then(function (now) {
      return send("snapshot", { reason: reason, state: now.state, states: now.states });
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
      heartbeat = setInterval(beat, options.heartbeatMs);
    }
  }

  function stopBeating() {
    if (heartbeat !== null) clearInterval(heartbeat);
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
      var timer = setTimeout(function () {
        reject(relayError("timeout", what + ": the phone did not answer within " + options.commandTimeoutMs + " ms"));
      }, options.commandTimeoutMs);
      promise.then(function (v) { clearTimeout(timer); resolve(v); }, function (e) { clearTimeout(timer); reject(e); });
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
    else if (command.method === "getState") work = read();
    else if (command.method === "setState" && typeof command.name === "string" && command.name) {
      work = withTimeout(Promise.resolve(command.name).then(phone.set), "setState " + command.name);
    } else if (command.method === "setState") work = Promise.reject(relayError("unknownState", "setState needs a state name"));
    else work = Promise.reject(relayError("unknownMethod", "the relay runs getState and setState, not " + JSON.stringify(command.method)));
    work.then(function (result) { reply(commandId, { result: result }); }, function (error) {
      var known = error && ["unknownState", "restricted", "refused", "timeout", "unknownMethod"].indexOf(error.code) !== -1;
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
      return signing.sharedKey(message.key);
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
      var timer = setTimeout(function () { asked = null; resolve(false); }, options.queryMs);
      asked = { resolve: function () { clearTimeout(timer); asked = null; resolve(true); } };
      send("ping", {});
    });
  }

  /** A message from the paired host: its signature and its sequence checked first. */
  function fromHost(message) {
    var to = host;
    inbox = inbox.then(function () {
      if (!to || host !== to || typeof message.mac !== "string" || typeof message.seq !== "number") return;
      return signing.verify(to.key, message).then(function (valid) {
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
      send("changed", { oldState: oldState == null ? null : oldState, newState: newState, states: phone.states() || [] });
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
    phone.start();
  }

  /** The phone's state and the names it offers, as a getState reply and a snapshot carry them. */
  function read() {
    return Promise.resolve().then(phone.read).then(function (state) {
      return { state: state, states: phone.states() || [] };
    });
  }

  /** The one phone choice (www/phones/choose.js), with the phones this relay was handed. */
  function findPhone() {
    var scope = { connect: options.connect || global.connect, CXoneAcdClient: options.CXoneAcdClient || global.CXoneAcdClient, omnisyncSoftphone: options.softphone || global.omnisyncSoftphone };
    return choosePhone(scope, { client: options.client, pollMs: options.pollMs, ccpWaitMs: options.ccpWaitMs, enqueueNextState: options.enqueueNextState, status: say });
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

  var found = findPhone();
  if (found) attach(found);
  else {
    say("waiting", "no phone on this page yet (Amazon Connect Streams, NICE CXone's agent SDK, or window.omnisyncSoftphone)");
    finder = setInterval(function () {
      var later = findPhone();
      if (later) {
        clearInterval(finder);
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
      if (finder !== null) clearInterval(finder);
      if (phone && phone.stop) phone.stop();
      if (typeof global.removeEventListener === "function") global.removeEventListener("pagehide", onPageHide);
      if (subscription && typeof opencti.unsubscribe === "function") {
        opencti.unsubscribe({ subscription: subscription, callback: function () {} });
      }
    },
  };
}

