// omnisync's Visualforce host (lwc-wrapper/.../pages/OmniSyncHost.page): a classic
// script, shipped in the omnisync static resource next to omnisync.iife.js (the shim
// and the wasm glue, global OmniSyncShim) and the omnisyncWasm resource.
//
// It reads the page's #omnisync-config element, waits for its bridge's MessagePort,
// fetches the rules resource and runs the engine over that port. The OmniSyncBridge
// Aura component frames this page and, once it has loaded, posts it one message with a
// MessagePort and the nonce its Apex rendered into this page's URL; the page accepts
// one port, once, from window.parent, from the Lightning origin its controller names,
// with that nonce (anything else posted to the window is ignored and counted). Every
// message after that goes over the port: Omni-Channel events and command replies in,
// toolkit commands and the engine's state (for the panel) out, and the telephony
// protocol both ways (docs/message-channel.md). The page renders the statuses the
// agent may use, the user's teams and 18-character Ids into #omnisync-config; the
// engine resolves the rules' status names against that catalog at start. Every failure
// to start (no bridge, catalog unreadable, a status the org lacks or the agent may not
// use, rules refused, WebAssembly blocked) is shown on the status line and, once the
// port is there, sent as {kind: "state", error} for the panel. In the leading tab it also publishes each new
// presence as the platform event OmniSync_Presence__e (through the page's remote
// action), whether or not the panel was ever opened. Nothing here logs customer data.
//
// Telephony: the one phone choice of www/phones/choose.js (docs/telephony.md), first
// found wins, the phone defined before this script:
//   1. Amazon Connect Streams: a `connect` global with `connect.agent` (the page must
//      also load Streams and call connect.core.initCCP);
//   2. NICE CXone: the agent SDK's `CXoneAcdClient` class on window (www/phones/cxone.js);
//   3. window.omnisyncSoftphone, for any other softphone (www/phones/hook.js);
//   4. otherwise, the softphone's relay (www/salesforce/relay.js, in the Open CTI
//      softphone's frame) through the bridge, which forwards the telephony channel's
//      messages over the port: the status line says "waiting for the
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
  // How long the page waits for its bridge's port before it says so (it still takes a
  // port that comes later).
  var HANDSHAKE_MS = 20000;
  // A presence whose publication failed is tried again no sooner than this.
  var PRESENCE_RETRY_MS = 60000;
  // The length of OmniSync_Presence__e.Reason__c.
  var MAX_REASON = 255;

  var runtime = null;

  function setStatus(state, text) {
    var statusLine = document.getElementById("omnisync-status");
    if (!statusLine) return;
    statusLine.setAttribute("data-state", state);
    // Names in the text come from the org and the phone: bidi overrides and control
    // characters are shown as code points, never obeyed (www/safe-text.js).
    var shim = window.OmniSyncShim;
    statusLine.textContent = "omnisync: " + (shim && shim.visible ? shim.visible(text) : String(text));
  }

  function readConfig() {
    var element = document.getElementById("omnisync-config");
    if (!element) throw hostError("config", "the page has no #omnisync-config element");
    var config = {
      wasmUrl: element.getAttribute("data-wasm-url"),
      rulesUrl: element.getAttribute("data-rules-url"),
      nonce: element.getAttribute("data-nonce") || "",
      lightningOrigin: element.getAttribute("data-lightning-origin") || "",
      userId: element.getAttribute("data-user-id") || undefined,
      orgId: element.getAttribute("data-org-id") || undefined,
      profileId: element.getAttribute("data-profile-id") || undefined,
      catalogError: element.getAttribute("data-catalog-error") || "",
      publishAction: element.getAttribute("data-publish-action") || "",
    };
    ["wasmUrl", "rulesUrl", "nonce", "lightningOrigin"].forEach(function (key) {
      if (!config[key]) throw hostError("config", "#omnisync-config has no " + key);
    });
    config.catalog = jsonAttribute(element, "data-catalog", []);
    config.teams = jsonAttribute(element, "data-teams", []);
    config.notGranted = jsonAttribute(element, "data-not-granted", []);
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
   * The bridge's port: the first message from window.parent, from the Lightning origin
   * the controller named, carrying this page's nonce and exactly one port. Everything
   * else posted to this window (another frame, the same origin included, a second
   * port) is ignored and counted in `refused.frames`.
   */
  function awaitPort(config, refused) {
    return new Promise(function (resolve) {
      var accepted = false;
      window.addEventListener("message", function (event) {
        var data = event.data;
        var ok = !accepted && event.source === window.parent && event.origin === config.lightningOrigin &&
          data && data.omnisync === "connect" && data.nonce === config.nonce && event.ports && event.ports.length === 1;
        if (!ok) {
          refused.frames += 1;
          return;
        }
        accepted = true;
        resolve(event.ports[0]);
      });
      setTimeout(function () {
        if (!accepted) {
          setStatus("failed", "noBridge: no port from the OmniSyncBridge within " + HANDSHAKE_MS / 1000 + " s. This page runs " +
            "only inside the OmniSync utility item, which frames it at its absolute Visualforce-domain URL (a relative " +
            "/apex/ URL is sandboxed by Lightning Web Security and cannot be reached)");
        }
      }, HANDSHAKE_MS);
    });
  }

  /** A rules file naming a status the agent may not use: refused, naming each. */
  function checkGranted(rulesText, notGranted) {
    var names;
    try {
      names = (JSON.parse(rulesText).statuses || []).map(function (s) { return s && s.developerName; });
    } catch (error) {
      return; // the engine reports the syntax error itself
    }
    var lacking = names.filter(function (name) { return notGranted.indexOf(name) !== -1; });
    if (lacking.length) {
      throw hostError("rules.statusNotGranted", "the rules use " + lacking.join(", ") + ", which this agent may not use: " +
        "grant it in a permission set or the profile (Service Presence Status Access)");
    }
  }

  /** The phone of this page (www/phones/choose.js), else the softphone's relay over the port. */
  function pickTelephony(shim, port) {
    var phone = shim.choosePhone(window, { warn: function (text) { console.warn(text); } });
    if (phone) return { name: phone.label, bridge: shim.phoneTelephony(phone) };
    var relay = shim.messageChannelTelephony(shim.portTransport(port, ["telephony"]), { onStatus: function (status) { if (runtime) setStatus("running", "running (" + status.text + ")"); } });
    return { name: "softphone relay", bridge: relay, describe: function () { return relay.status().text; } };
  }

  function snapshot(host, presence, refused) {
    var dropped = host.dropped();
    dropped.frames = refused.frames;
    return {
      kind: "state",
      leader: runtime.isLeader(),
      state: runtime.state(),
      metrics: runtime.metrics(Date.now()),
      trace: runtime.trace(TRACE_SIZE),
      stats: runtime.stats(),
      dropped: dropped,
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

  async function main() {
    var publish = null;
    var refused = { frames: 0 };
    try {
      var config = readConfig();
      // Listening starts at once: the bridge posts the port as soon as this page loads.
      // Posting needs no set-up; listening starts with the first listener
      // (www/port.js), the messages before it waiting in the port.
      var port = await awaitPort(config, refused);
      publish = function (message) { port.postMessage(message); };
      // At once, so the bridge knows the handshake worked while the engine loads.
      publish({ kind: "hello" });
      setStatus("starting", "starting");
      if (config.catalogError) {
        // The controller's coded message: "apex.noDeveloperName: ...".
        throw hostError(config.catalogError.split(":")[0], config.catalogError);
      }
      var shim = window.OmniSyncShim;
      if (!shim || typeof shim.startOmniSync !== "function") {
        throw hostError("noShim", "omnisync.iife.js did not load (OmniSyncShim is missing)");
      }
      var rules = await fetchRules(config.rulesUrl);
      checkGranted(rules, config.notGranted);
      var telephony = pickTelephony(shim, port);

      var host = shim.messageChannelHost(port);
      var presence = presencePublisher(config.publishAction);
      var timer = null;
      var flush = function () {
        if (timer !== null) clearTimeout(timer);
        timer = null;
        if (!runtime) return;
        try {
          var message = snapshot(host, presence, refused);
          publish(message);
          presence.update(message);
        } catch (error) {
          console.warn("omnisync: could not publish the state:", error);
        }
      };
      var schedule = function () {
        if (timer === null) timer = setTimeout(flush, PUBLISH_MS);
      };
      // The bridge asks after the console was hidden or frozen: answered at once.
      shim.portTransport(port, ["ping"]).subscribe(flush);
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
      window.omnisyncHost = { runtime: runtime, telephony: telephony.name };
      if (telephony.bridge.attach) telephony.bridge.attach(runtime);
      setStatus("running", "running (" + (telephony.describe ? telephony.describe() : telephony.name) + ")");
      flush();
      // A hidden page runs this about once a minute (Chrome's intensive throttling):
      // the bridge's silence limit allows for it.
      var heartbeat = setInterval(schedule, HEARTBEAT_MS);
      // Back from hidden or frozen: both sides are read again (where the runtime offers
      // it) and the bridge hears from this page at once.
      var wake = function (event) {
        // A frozen page resumes hidden as often as not: resume counts either way.
        if (!runtime || (event.type === "visibilitychange" && document.visibilityState !== "visible")) return;
        if (typeof runtime.reconcile === "function") runtime.reconcile();
        flush();
      };
      document.addEventListener("visibilitychange", wake);
      document.addEventListener("resume", wake);
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
        if (publish) publish({ kind: "state", error: text, dropped: { frames: refused.frames } });
      } catch (publishError) {
        console.warn("omnisync: could not publish the failure:", publishError);
      }
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", main);
  else main();
})();
