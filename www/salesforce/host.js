// omnisync's Visualforce host (lwc-wrapper/.../pages/OmniSyncHost.page): a classic
// script, shipped in the omnisync static resource next to omnisync.iife.js (the shim
// and the wasm glue, global OmniSyncShim) and omnisync_bg.wasm.
//
// It reads the page's #omnisync-config element, fetches the rules resource and runs
// the engine with the message-channel host: the OmniSyncBridge Aura component sends
// Omni-Channel events and command replies over the OmniSync__c Lightning Message
// Service channel, and this page sends toolkit commands and its state back
// (docs/message-channel.md). The page renders the org's presence status catalog, the
// user's teams and 18-character Ids into #omnisync-config; the engine resolves the
// rules' status names against the catalog at start. Every failure to start (no
// sforce.one, catalog unreadable, a status name the org lacks, rules refused,
// WebAssembly blocked) is shown on the status line and published as {kind: "state",
// error} for the omniSyncPanel LWC. In the leading tab it also publishes each new
// presence as the platform event OmniSync_Presence__e (through the page's remote
// action), whether or not the panel was ever opened. Nothing here logs customer data.
//
// Telephony, first found wins:
//   1. Amazon Connect Streams: a `connect` global with `connect.agent` (the page must
//      also load Streams and call connect.core.initCCP, before this script);
//   2. window.omnisyncSoftphone, for any other softphone, defined before this script:
//        { onStateChange(callback),      // callback({oldState, newState}), names as in
//                                        //   the rules' telephony.states
//          getState(),                   // the current state name, or a promise of it
//          setState(name) }              // a promise; reject it when refused
//   3. otherwise, the softphone's relay (www/salesforce/relay.js, in the Open CTI
//      softphone's frame) over the same channel: the status line says "waiting for the
//      softphone" until a relay speaks, and while none does the phone reads as null
//      and each setTelephonyState action fails with code "noRelay" (and is retried).
(function () {
  "use strict";

  // The panel needs the latest state, not every intermediate one: at most one state
  // message per PUBLISH_MS. A timer, not requestAnimationFrame: a utility item that is
  // not open is a hidden iframe, where animation frames may never come.
  var PUBLISH_MS = 100;
  // Republished this often even when nothing changed: the durations in the metrics
  // grow, and a panel opened after the last change still gets a state.
  var HEARTBEAT_MS = 5000;
  var TRACE_SIZE = 20;
  // A presence whose publication failed is tried again no sooner than this.
  var PRESENCE_RETRY_MS = 60000;
  // The length of OmniSync_Presence__e.Reason__c.
  var MAX_REASON = 255;

  var runtime = null;

  function setStatus(state, text) {
    var statusLine = document.getElementById("omnisync-status");
    if (!statusLine) return;
    statusLine.setAttribute("data-state", state);
    statusLine.textContent = "omnisync: " + text;
  }

  function readConfig() {
    var element = document.getElementById("omnisync-config");
    if (!element) throw hostError("config", "the page has no #omnisync-config element");
    var config = {
      wasmUrl: element.getAttribute("data-wasm-url"),
      rulesUrl: element.getAttribute("data-rules-url"),
      channel: element.getAttribute("data-channel"),
      userId: element.getAttribute("data-user-id") || undefined,
      orgId: element.getAttribute("data-org-id") || undefined,
      profileId: element.getAttribute("data-profile-id") || undefined,
      catalogError: element.getAttribute("data-catalog-error") || "",
      publishAction: element.getAttribute("data-publish-action") || "",
    };
    ["wasmUrl", "rulesUrl", "channel"].forEach(function (key) {
      if (!config[key]) throw hostError("config", "#omnisync-config has no " + key);
    });
    config.catalog = jsonAttribute(element, "data-catalog", []);
    config.teams = jsonAttribute(element, "data-teams", []);
    return config;
  }

  /** A JSON array rendered into an attribute by the page's controller. */
  function jsonAttribute(element, name, fallback) {
    var text = element.getAttribute(name);
    if (text === null || text === "") return fallback;
    var value;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw hostError("config", "#omnisync-config " + name + " is not JSON: " + error.message);
    }
    if (!Array.isArray(value)) throw hostError("config", "#omnisync-config " + name + " is not a list");
    return value;
  }

  function hostError(code, message) {
    return Object.assign(new Error(message), { code: code });
  }

  /**
   * The transport messageChannelHost expects, over Lightning Message Service. Every
   * subscriber sees every message on the channel, this page's own included: the host
   * takes only what is meant for it.
   */
  function lmsPort(sforceOne, channel) {
    return {
      postMessage: function (message) {
        sforceOne.publish(channel, message);
      },
      subscribe: function (handler) {
        sforceOne.subscribe(channel, function (message) {
          if (message && (message.kind === "event" || message.kind === "reply")) handler(message);
        }, { scope: "APPLICATION" });
      },
    };
  }

  function pickTelephony(shim, sforceOne, channel) {
    if (window.connect && typeof window.connect.agent === "function") {
      return { name: "Amazon Connect", bridge: shim.connectTelephony(window.connect) };
    }
    var softphone = window.omnisyncSoftphone;
    if (softphone && ["onStateChange", "getState", "setState"].every(function (m) { return typeof softphone[m] === "function"; })) {
      return { name: "softphone", bridge: shim.softphoneTelephony(softphone) };
    }
    if (softphone) console.warn("omnisync: window.omnisyncSoftphone needs onStateChange, getState and setState; ignored");
    var relay = shim.messageChannelTelephony({
      postMessage: function (message) { sforceOne.publish(channel, message); },
      subscribe: function (handler) {
        sforceOne.subscribe(channel, function (message) {
          if (message && message.kind === "telephony") handler(message);
        }, { scope: "APPLICATION" });
      },
    }, { onStatus: function (status) { if (runtime) setStatus("running", "running (" + status.text + ")"); } });
    return { name: "softphone relay", bridge: relay, describe: function () { return relay.status().text; } };
  }

  function snapshot(host, presence) {
    return {
      kind: "state",
      session: host.session,
      leader: runtime.isLeader(),
      state: runtime.state(),
      metrics: runtime.metrics(Date.now()),
      trace: runtime.trace(TRACE_SIZE),
      stats: runtime.stats(),
      dropped: host.dropped(),
      presence: presence.view(),
    };
  }

  /**
   * Publishes the agent's presence as OmniSync_Presence__e through the page's remote
   * action (OmniSyncHostController.publishPresence): only from the leading tab, only
   * once the engine has read the presence at start-up, only when the (Omni status,
   * telephony state) pair differs from the last one sent. A failure is shown in the
   * state message and the pair is tried again at most once a minute.
   */
  function presencePublisher(action) {
    var remoting = window.Visualforce && window.Visualforce.remoting && window.Visualforce.remoting.Manager;
    var lastKey = null;
    var retry = null;
    var calls = 0;
    var shown = 0;
    var published = null;
    var failure = action && remoting ? null : "the page has no presence remote action (Visualforce remoting)";
    function send(omniStatus, telephonyState, reason) {
      return new Promise(function (resolve, reject) {
        remoting.invokeAction(action, omniStatus, telephonyState, reason, function (result, event) {
          if (event && event.status) resolve(result);
          else reject(new Error((event && event.message) || "the presence event was not published"));
        }, { escape: false, buffer: false });
      });
    }
    return {
      update: function (message) {
        var presence = presenceOf(message);
        if (!presence || !action || !remoting) return;
        var key = presence.omniStatus + "\u0000" + (presence.telephonyState || "");
        var now = Date.now();
        if (key === lastKey || (retry && retry.key === key && now < retry.notBefore)) return;
        lastKey = key;
        var reason = reasonOf(message.trace).slice(0, MAX_REASON);
        var call = ++calls;
        send(presence.omniStatus, presence.telephonyState, reason).then(function () {
          retry = null;
          if (call > shown) {
            shown = call;
            failure = null;
            published = { omniStatus: presence.omniStatus, telephonyState: presence.telephonyState, reason: reason, at: now };
          }
        }, function (error) {
          if (lastKey === key) {
            lastKey = null;
            retry = { key: key, notBefore: now + PRESENCE_RETRY_MS };
          }
          if (call > shown) {
            shown = call;
            failure = String((error && error.message) || error);
          }
        });
      },
      view: function () {
        return { published: published, error: failure };
      },
    };
  }

  /**
   * The pair to publish for a state message, or null: not the leading tab, the engine
   * still reading the presence at start-up, or logged in to a status without a name.
   */
  function presenceOf(message) {
    var state = message.state;
    if (!message.leader || !state || !presenceRead(message.trace)) return null;
    var omni = state.omni || {};
    var omniStatus = omni.loggedIn ? omni.developerName : "Offline";
    if (!omniStatus) return null;
    return { omniStatus: omniStatus, telephonyState: (state.telephony && state.telephony.state) || null };
  }

  /** false while the latest start-up entry of the trace is "reconciling" (docs/runtime.md). */
  function presenceRead(trace) {
    var entries = Array.isArray(trace) ? trace : [];
    for (var i = entries.length - 1; i >= 0; i--) {
      var kind = entries[i] && entries[i].kind;
      if (kind === "reconciled") return true;
      if (kind === "reconciling") return false;
    }
    return true;
  }

  /** Why the pair changed: the rule that acted, else the event, else the entry's kind. */
  function reasonOf(trace) {
    var last = Array.isArray(trace) ? trace[trace.length - 1] : null;
    if (!last) return "";
    var event = last.decision && last.decision.trace && last.decision.trace.event;
    return String(last.rule || event || last.kind || "");
  }

  /** A refused rules file lists every finding; the message alone names the first. */
  function describe(error) {
    var text = String((error && error.message) || error);
    if (typeof WebAssembly === "object" && (error instanceof WebAssembly.CompileError || error instanceof WebAssembly.LinkError)) {
      // Most often the page's Content Security Policy, which the browser names.
      return "wasm: WebAssembly could not start on this page: " + text;
    }
    var details = error && Array.isArray(error.details) ? error.details : [];
    if (details.length > 1) {
      text += details.map(function (d) { return "\n" + d.path + ": " + d.message; }).join("");
    }
    return error && error.code && text.indexOf(error.code) === -1 ? error.code + ": " + text : text;
  }

  async function fetchRules(url) {
    var response;
    try {
      response = await fetch(url, { credentials: "same-origin" });
    } catch (error) {
      throw hostError("rules.fetch", "the rules resource could not be read: " + describe(error));
    }
    if (!response.ok) throw hostError("rules.fetch", "the rules resource answered HTTP " + response.status);
    // The engine parses the text itself: a syntax error gets its structured report.
    return response.text();
  }

  /** This page session's pairing id (docs/message-channel.md): 16 random hex digits. */
  function pairingId() {
    var bytes = new Uint8Array(8);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b < 16 ? "0" : "") + b.toString(16); }).join("");
  }

  async function main() {
    var publish = null;
    var session = pairingId();
    try {
      var config = readConfig();
      var sforceOne = window.sforce && window.sforce.one;
      if (!sforceOne || typeof sforceOne.publish !== "function" || typeof sforceOne.subscribe !== "function") {
        throw hostError("noMessageService", "sforce.one is missing: open this page in Lightning Experience, as a utility item");
      }
      publish = function (message) { sforceOne.publish(config.channel, message); };
      if (config.catalogError) {
        // The controller's coded message: "apex.noDeveloperName: ...".
        throw hostError(config.catalogError.split(":")[0], config.catalogError);
      }
      var shim = window.OmniSyncShim;
      if (!shim || typeof shim.startOmniSync !== "function") {
        throw hostError("noShim", "omnisync.iife.js did not load (OmniSyncShim is missing)");
      }
      var rules = await fetchRules(config.rulesUrl);
      var telephony = pickTelephony(shim, sforceOne, config.channel);

      var host = shim.messageChannelHost(lmsPort(sforceOne, config.channel), { session: session });
      var presence = presencePublisher(config.publishAction);
      var timer = null;
      var flush = function () {
        timer = null;
        if (!runtime) return;
        try {
          var message = snapshot(host, presence);
          publish(message);
          presence.update(message);
        } catch (error) {
          console.warn("omnisync: could not publish the state:", error);
        }
      };
      var schedule = function () {
        if (timer === null) timer = setTimeout(flush, PUBLISH_MS);
      };
      runtime = await shim.startOmniSync({
        rules: rules,
        catalog: config.catalog,
        host: host,
        telephony: telephony.bridge,
        wasmUrl: config.wasmUrl,
        context: { userId: config.userId, profileId: config.profileId, teams: config.teams },
        // Scope the lock, the tab channel and the saved session to this org and user.
        orgId: config.orgId,
        userId: config.userId,
        onUpdate: schedule,
      });
      window.omnisyncHost = { runtime: runtime, telephony: telephony.name, session: host.session };
      if (telephony.bridge.attach) telephony.bridge.attach(runtime);
      setStatus("running", "running (" + (telephony.describe ? telephony.describe() : telephony.name) + ")");
      flush();
      var heartbeat = setInterval(schedule, HEARTBEAT_MS);
      window.addEventListener("pagehide", function () {
        // A stopped engine is no leader: nothing of this page publishes after it.
        clearInterval(heartbeat);
        if (timer !== null) clearTimeout(timer);
        timer = null;
        if (runtime) runtime.stop();
      });
    } catch (error) {
      var text = describe(error);
      setStatus("failed", text);
      // A warning, not an error: the failure is reported where an admin looks (the
      // status line and the panel); the console keeps the details.
      console.warn("omnisync: the engine did not start:", error);
      try {
        if (publish) publish({ kind: "state", session: session, error: text });
      } catch (publishError) {
        console.warn("omnisync: could not publish the failure:", publishError);
      }
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", main);
  else main();
})();
