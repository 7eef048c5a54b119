// A stand-in for NICE CXone's cloud, at the agent SDK's own boundary: its HTTP calls
// (every one goes through `fetch`, the long poll of agent events included) answered with
// the JSON shapes the SDK's models parse. The SDK packages (@nice-devone/acd-sdk and what
// it imports) run unmodified: bundled as they ship, evaluated in a fresh context per page
// load, so a second `openPage` on the same storage is a reload of the softphone page.
//
// Where the SDK cannot run without CXone, and what stands in there:
// - Sign-in: the SDK's OAuth flow needs CXone's identity provider. A page starts from
//   the session the SDK stores after a sign-in (token, configuration, user info in
//   localStorage), as it does on every reload.
// - Its event worker loads rxjs from a public CDN (`importScripts`): the stand-in worker
//   serves the rxjs build installed here under that URL.
// - In node only: no Worker; `LocalWorker` runs the SDK's worker script in its own context.
import fs from "node:fs";
import vm from "node:vm";
import { resolveObjectURL } from "node:buffer";
import { build } from "esbuild";
import { signIn as storeSignIn } from "../demo/sim/cxone.js";
export { startAgentPage } from "../demo/sim/cxone.js";

const ROOT = new URL("../../", import.meta.url);
export const ACD_BASE = "https://api-cxone.stand-in.test";
/** The agent's ACD session. */
const SESSION = "session-1001";
const RXJS_UMD = new URL("node_modules/rxjs/dist/bundles/rxjs.umd.min.js", ROOT);

let bundled;
/**
 * The SDK as one script (esbuild, as a page's build would bundle it): defines
 * `CXoneSdk` with the classes a page uses.
 * @returns {Promise<string>} the script.
 */
export async function sdkBundle() {
  bundled ??= build({
    stdin: {
      contents: `export { CXoneAcdClient } from "@nice-devone/acd-sdk";
        export { CXoneLeaderElector } from "@nice-devone/common-sdk";`,
      resolveDir: new URL("www/", ROOT).pathname,
      loader: "js",
    },
    bundle: true, write: false, format: "iife", globalName: "CXoneSdk", platform: "browser",
    logLevel: "error", define: { "process.env.NODE_ENV": '"production"' },
  }).then((r) => r.outputFiles[0].text);
  return bundled;
}

/** An AgentState event as CXone's get-next-event sends it. */
function agentStateEvent({ state, reason = "", acw = false }) {
  return {
    Type: "AgentState", CurrentState: state, CurrentOutReason: reason, IsAcw: acw ? "True" : "False",
    StartTimeUTC: new Date().toISOString(), AcwTimeout: "0", NextStates: [], NextIsAcw: "False",
  };
}

/**
 * The cloud: one agent, its ACD session and its event queue.
 * @param {{state?: string, reason?: string, codes?: string[], apply?: Function}} [initial]
 *   `apply(body)`: a set-state request goes to the owner of the agent (the demo's
 *   phone), which reports the change back by `cloud.change`; throwing refuses it.
 */
export function createCloud(initial = {}) {
  const cloud = {
    agent: { state: initial.state ?? "Available", reason: initial.reason ?? "", acw: false },
    codes: initial.codes ?? ["Lunch", "Break"],
    /** Bodies of every set-state request the SDK sent. */
    setStateCalls: [],
    /** Every request: `METHOD path`. */
    requests: [],
    /** Whether the next set-state request is refused (HTTP 400). */
    refuseNext: false,
    sessions: 0,
    closed: false,
    queue: [],
    waiters: [],
  };
  const release = () => {
    for (const w of cloud.waiters.splice(0)) w();
  };
  /** The agent's state changes in CXone (a supervisor, a contact, the agent's own UI). */
  /** Ends every session (the end of a test). */
  cloud.close = () => {
    cloud.closed = true;
    release();
  };
  cloud.change = (next) => {
    cloud.agent = { reason: "", acw: false, ...next };
    cloud.queue.push(agentStateEvent(cloud.agent));
    release();
  };
  const json = (status, body) => new Response(body === undefined ? null : JSON.stringify(body), {
    status, headers: { "content-type": "application/json" },
  });
  cloud.fetch = async (input, init = {}) => {
    const url = new URL(typeof input === "string" ? input : input.url);
    const method = (init.method ?? "GET").toUpperCase();
    cloud.requests.push(`${method} ${url.pathname}`);
    const path = url.pathname;
    if (url.origin !== ACD_BASE) return json(404, {});
    if (path.endsWith("/agent-sessions/join")) {
      // Joining attaches a page to the agent's one session: a reloaded page joins the
      // session its earlier self joined (the SDK keeps polling the session Id it
      // stored), and its first poll answers with the agent's current state.
      cloud.sessions += 1;
      cloud.queue = [agentStateEvent(cloud.agent)];
      release();
      return json(202, { sessionId: SESSION });
    }
    const polled = path.match(/\/agent-sessions\/([^/]+)\/get-next-event$/);
    if (polled) {
      // A session another page joined after this one is over (CXone answers 409).
      if (cloud.closed || polled[1] !== SESSION) return json(409, {});
      if (cloud.queue.length === 0) {
        // Long poll: held until an event or a short timeout (CXone holds up to 60 s).
        await new Promise((resolve) => {
          cloud.waiters.push(resolve);
          setTimeout(resolve, 200).unref();
        });
      }
      if (cloud.queue.length === 0) return json(304);
      return json(200, { sessionId: SESSION, events: cloud.queue.splice(0) });
    }
    if (/\/agent-sessions\/[^/]+\/state$/.test(path) && method === "POST") {
      const body = JSON.parse(init.body ?? "{}");
      cloud.setStateCalls.push(body);
      if (cloud.refuseNext) {
        cloud.refuseNext = false;
        return json(400, { message: "refused" });
      }
      try {
        if (initial.apply) initial.apply(body);
        else cloud.change({ state: body.state, reason: body.reason ?? "" });
      } catch (error) {
        return json(400, { message: error.message });
      }
      return json(202, {});
    }
    if (/\/agents\/[^/]+\/agent-settings$/.test(path)) {
      // Events by get-next-event polling, not the UI queue's web socket.
      return json(200, { EnableUIQueue: false });
    }
    if (path.endsWith("/business-unit")) {
      return json(200, { businessUnits: [{ features: [], maxConferenceParties: 0, fileExtensions: [], isMultiContactHandling: false, isUnifiedRoutingEnabled: false }] });
    }
    if (/\/agents\/[^/]+\/indicators$/.test(path)) return json(200, { indicators: [] });
    if (path.endsWith("/config/toggledFeatures")) return json(200, { toggledFeatures: [] });
    if (/\/teams\/[^/]+\/unavailable-codes$/.test(path)) {
      return json(200, {
        unavailableCodes: cloud.codes.map((name, i) => ({
          outStateName: name, isActive: true, isAcw: false, isPersonalConnection: false, skillName: "",
        })),
      });
    }
    return json(404, {});
  };
  return cloud;
}

/** A storage like the page's localStorage (shared across reloads of one origin). */
let origins = 0;
export function createStorage() {
  const values = new Map();
  return {
    origin: `origin-${++origins}`,
    getItem: (k) => (values.has(k) ? values.get(k) : null),
    setItem: (k, v) => values.set(k, String(v)),
    removeItem: (k) => values.delete(k),
    clear: () => values.clear(),
    key: (i) => [...values.keys()][i] ?? null,
    get length() {
      return values.size;
    },
  };
}

/** What the SDK stores after an agent signs in to CXone (see the note at the top). */
export function signIn(storage, base = ACD_BASE) {
  storeSignIn(storage, base);
}

/**
 * A Worker as a browser runs the SDK's worker scripts (blob URLs), for node: the script
 * runs in its own context, messages cross as structured clones.
 */
function workerClass(fetchImpl) {
  return class LocalWorker {
    constructor(url) {
      const blob = resolveObjectURL(url);
      this.onmessage = null;
      const noop = () => {};
      const self = {
        fetch: fetchImpl, Headers, Request, Response, URL, clearTimeout, clearInterval,
        setTimeout: (...args) => setTimeout(...args).unref(), setInterval: (...args) => setInterval(...args).unref(),
        crypto: globalThis.crypto, performance, AbortController, AbortSignal, Promise,
        console: process.env.CXONE_DEBUG ? console : { log: noop, info: noop, warn: noop, error: noop, debug: noop },
        postMessage: (data) => queueMicrotask(() => this.onmessage?.({ data: structuredClone(data) })),
        importScripts: () => vm.runInContext(fs.readFileSync(RXJS_UMD, "utf8"), this.context),
      };
      self.self = self;
      self.globalThis = self;
      this.context = vm.createContext(self);
      this.ready = blob.text().then((code) => vm.runInContext(code, this.context));
      this.self = self;
    }
    postMessage(data) {
      this.ready.then(() => this.self.onmessage?.({ data: structuredClone(data) }));
    }
    terminate() {
      this.self.onmessage = null;
    }
  };
}

/**
 * Loads the softphone page: the SDK evaluated afresh against `cloud`, with `storage`
 * as its localStorage.
 * @returns {Promise<{sdk: object, window: object}>}
 */
export async function openPage(cloud, storage) {
  const code = await sdkBundle();
  const noop = () => {};
  const element = () => ({ style: {}, dataset: {}, setAttribute: noop, appendChild: noop, addEventListener: noop });
  const window = {
    document: {
      createElement: element, getElementById: () => null, querySelector: () => null, querySelectorAll: () => [],
      addEventListener: noop, removeEventListener: noop, body: element(), head: element(), cookie: "",
      readyState: "complete", visibilityState: "visible", hidden: false,
    },
    navigator: { userAgent: "node", onLine: true, mediaDevices: {} },
    location: { href: "https://softphone.test/", origin: "https://softphone.test", protocol: "https:", hostname: "softphone.test", search: "" },
    localStorage: storage, sessionStorage: createStorage(), addEventListener: noop, removeEventListener: noop, postMessage: noop,
    fetch: cloud.fetch, Headers, Request, Response, Blob, URL, URLSearchParams, Worker: workerClass(cloud.fetch),
    // Channels reach the pages of one origin (one storage) only, as in a browser.
    BroadcastChannel: class extends BroadcastChannel {
      constructor(name) {
        super(`${storage.origin}:${name}`);
        this.unref(); // a test process ends when its tests do
      }
    },
    // The SDK's timers must not keep a test process alive either.
    setTimeout: (...args) => setTimeout(...args).unref(), setInterval: (...args) => setInterval(...args).unref(),
    clearTimeout, clearInterval, performance, crypto: globalThis.crypto,
    TextEncoder, TextDecoder, queueMicrotask, structuredClone, AbortController,
    // CXONE_DEBUG=1 shows the SDK's own log.
    console: process.env.CXONE_DEBUG ? console : { log: noop, info: noop, warn: noop, error: noop, debug: noop, trace: noop },
  };
  Object.assign(window, { window, self: window, top: window, parent: window, globalThis: window });
  vm.runInContext(code, vm.createContext(window));
  return { sdk: window.CXoneSdk, window };
}

/**
 * What unloading the page does to the SDK: its tab gives up leadership.
 * @param {{sdk: object}} page
 */
export async function closePage({ sdk }) {
  // Its channels stay open (unref'd): the SDK may still post while the page goes.
  await sdk.CXoneLeaderElector.instance.elector.die();
}
