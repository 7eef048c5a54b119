#!/usr/bin/env node
// The local Service Console demo server: static files plus the SIMULATED systems.
//
//   node scripts/serve.mjs [--port N] [--softphone-port N]
//                                          (default 8080, and a free port for the softphone)
//
// The softphone page (www/demo/softphone.html) is served from a second port, another
// origin, so that it talks to the console page only by postMessage, as an Open CTI
// softphone frame does; GET /api/softphone tells the console page where it is.
// Serves www/ at / and pkg/web/ at /pkg/ on 127.0.0.1 only, with the Content Security
// Policy Salesforce pages impose, so the demo proves it runs without eval or inline
// script. Omni-Channel and the softphone (the models in www/demo/sim/, the ones
// the tests use) live here, server-side, as they do for real:
// every tab of the agent then sees one agent, which is what tab leadership is about.
// No dependency beyond node itself and the built engine (scripts/build-wasm.sh), whose
// node build gives the telephony system states.
//
// The CXone softphone (softphone.html?phone=cxone) runs NICE CXone's real agent SDK,
// bundled on first request at /demo/cxone-sdk.js from the development dependencies
// (as www/test/cxone-cloud.mjs bundles it for the tests), against that file's stand-in
// for CXone's cloud at /cxone-cloud/, whose agent is the demo's one phone. The SDK's
// event worker loads rxjs from a public CDN: that page's CSP allows it and blob: workers.

import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { REASON, Refused, createOmni } from "../www/demo/sim/omni.js";
import { createPhone } from "../www/demo/sim/phone.js";
import { cxoneAgentState, phoneStateOf } from "../www/demo/sim/cxone.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
// Longest prefix first. /pkg/web/ too, so a shim importing "../pkg/web/..." from /
// resolves either way.
const MOUNTS = [
  ["/pkg/web/", "pkg/web"],
  ["/pkg/", "pkg/web"],
  // The examples (a catalog for ?catalog=/examples/org-statuses.json) and the rules
  // schema the demo's form editor builds its picklists from.
  ["/examples/", "examples"],
  ["/schema/", "schema"],
  ["/", "www"],
];
const MIME = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".wasm": "application/wasm",
  ".png": "image/png",
  ".svg": "image/svg+xml",
  ".ts": "text/plain; charset=utf-8",
  ".map": "application/json; charset=utf-8",
};
const CSP = "script-src 'self' 'wasm-unsafe-eval'";
// The CXone softphone page: the SDK starts its workers from blob: URLs, and they load
// rxjs from the CDN the SDK names.
const CXONE_CSP = "script-src 'self' 'wasm-unsafe-eval' https://cdnjs.cloudflare.com; worker-src blob:";
const CXONE_CLOUD = "/cxone-cloud";
// The states a softphone reports but no one may set (docs/rules.md): the engine's list.
const SYSTEM_STATES = engine().systemStates();

/** The engine's node build (its OmniSync class), or a message saying how to build it. */
function engine() {
  try {
    return createRequire(import.meta.url)("../pkg/node/omnisync.js").OmniSync;
  } catch (error) {
    throw new Error(`the engine is not built (run bash scripts/build-wasm.sh): ${error.message}`);
  }
}

// ---------------------------------------------------------------- the org's catalog

// The org is described by the demo's default rules, which name statuses only (rules
// travel between orgs): the simulated org gives each its own Id, and the page hands
// the engine these records as its catalog, as a Salesforce host page does.
const rulesFile = JSON.parse(fs.readFileSync(path.join(ROOT, "www/demo/default-rules.json"), "utf8"));
const DEFAULT_CATALOG = {
  statuses: rulesFile.statuses.map((s, i) => ({
    ...s, id: s.id ?? `0N5Hs00000${String(i + 1).padStart(2, "0")}DemAAA`, online: s.online !== false,
  })),
  telephonyStates: rulesFile.telephony?.states ?? [],
  systemStates: SYSTEM_STATES,
  channels: (rulesFile.channels ?? []).map((c, i) => ({
    channelId: `0N9Hs00000000${String(i + 1).padStart(2, "0")}AAA`,
    developerName: c.developerName,
    prefix: c.workItemPrefixes?.[0] ?? "0Zz",
  })),
};
let catalog = DEFAULT_CATALOG;

/**
 * The admin's org for the demo (POST /api/catalog): its ServicePresenceStatus records
 * (`Id`, `DeveloperName`, `MasterLabel`; `online` if given, else online) and, if given,
 * the phone's agent states. An empty body is the default org. The simulated systems
 * start afresh only when the org changed, so a page reloaded with the same catalog
 * keeps the agent where they were. /api/reset goes back to the default org.
 */
function setCatalog(body) {
  const records = body.records ?? null;
  if (records !== null && (!Array.isArray(records) || records.length > 500
      || !records.every((r) => typeof r?.Id === "string" && typeof r?.DeveloperName === "string"))) {
    throw new HttpError(400, "records must be a list of ServicePresenceStatus records with Id and DeveloperName");
  }
  const states = body.telephonyStates ?? null;
  if (states !== null && (!Array.isArray(states) || states.length > 200 || !states.every((n) => typeof n === "string" && n))) {
    throw new HttpError(400, "telephonyStates must be a list of state names");
  }
  const next = {
    ...DEFAULT_CATALOG,
    statuses: records ? records.map((r) => ({
      id: r.Id, developerName: r.DeveloperName, label: r.MasterLabel ?? r.DeveloperName, online: r.online !== false,
    })) : DEFAULT_CATALOG.statuses,
    telephonyStates: states ?? DEFAULT_CATALOG.telephonyStates,
  };
  if (JSON.stringify(next) !== JSON.stringify(catalog)) {
    catalog = next;
    reset();
  }
  return snapshot();
}

// ---------------------------------------------------------------- simulated agent

let omni; // Omni-Channel and the softphone: www/demo/sim/, shared with the tests
let phone;
let cloud = null; // CXone's cloud stand-in, made on the first request of the CXone softphone
let seq = 0; // never reset: SSE ids and event seqs stay monotonic across /api/reset
let log = [];
let faults;
let random;

/** A seeded PRNG (mulberry32) so a failing fault-injection run can be replayed. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function reset() {
  omni = createOmni({ statuses: catalog.statuses, channels: catalog.channels, capacity: 2 });
  phone = createPhone({ states: catalog.telephonyStates, systemStates: SYSTEM_STATES });
  // Every event of both systems goes to the open streams.
  omni.on(emit);
  phone.on(emit);
  cloud?.close();
  cloud = null;
  log = [];
  faults = { rejectRate: 0, dropRate: 0, seed: 1 };
  random = prng(faults.seed);
}
reset();

function snapshot() {
  const status = omni.status();
  return {
    omni: {
      loggedIn: omni.isLoggedIn(),
      statusId: status?.statusId ?? null,
      developerName: status?.statusApiName ?? null,
      label: status?.statusName ?? null,
      channels: omni.channels(),
    },
    workload: omni.workload(),
    works: omni.works(),
    telephony: { state: phone.state(), onCall: phone.onContact() },
    catalog: {
      statuses: catalog.statuses,
      telephonyStates: catalog.telephonyStates,
      systemStates: SYSTEM_STATES,
      channels: catalog.channels.map(({ channelId, developerName }) => ({ channelId, developerName })),
    },
    faults: { ...faults },
    seq,
  };
}

/** An error the API answers with its HTTP status. */
class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

// The HTTP status of each refusal of the simulated systems (Refused.code).
const HTTP_STATUS = {
  unknownStatus: 400, badUnits: 400, badCapacity: 400, badState: 400, systemState: 400, unknownState: 400,
  noWork: 404, notLoggedIn: 409, away: 409, workState: 409, onContact: 409, callState: 409,
};

function setFaults(body) {
  const rate = (v) => {
    const n = Number(v ?? 0);
    if (!(n >= 0 && n <= 1)) throw new HttpError(400, "rates must be numbers from 0 to 1");
    return n;
  };
  faults = { rejectRate: rate(body.rejectRate), dropRate: rate(body.dropRate), seed: Number(body.seed ?? 1) | 0 };
  random = prng(faults.seed);
  return faults;
}

// ---------------------------------------------------------------- server-sent events

const clients = new Set();
const history = []; // for EventSource reconnects (Last-Event-ID)

/** Stamps an event and sends it to every open stream. */
function emit(event) {
  const stamped = { ...event, at: Date.now(), seq: ++seq };
  history.push(stamped);
  if (history.length > 1000) history.shift();
  for (const res of clients) {
    // Each tab loses its own share, as browsers do. The widgets poll /api/state
    // instead, so they keep showing the systems' truth.
    if (faults.dropRate > 0 && random() < faults.dropRate) continue;
    send(res, stamped);
  }
}

const send = (res, event) => res.write(`id: ${event.seq}\ndata: ${JSON.stringify(event)}\n\n`);

function openStream(req, res) {
  res.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-store", Connection: "keep-alive" });
  res.write("retry: 500\n\n");
  // An EventSource that reconnects says where it stopped: replay what it missed.
  const last = Number(req.headers["last-event-id"] || NaN);
  if (Number.isFinite(last)) for (const e of history) if (e.seq > last) send(res, e);
  clients.add(res);
  req.on("close", () => clients.delete(res));
}

// Proxies and idle timeouts close silent streams.
setInterval(() => {
  for (const res of clients) res.write(": keep-alive\n\n");
}, 15000).unref();

// ---------------------------------------------------------------- HTTP

const WRITES = {
  "/api/omni/status": (b, by) => omni.setStatus(b.statusId, by === "toolkit" ? REASON.toolkit : REASON.manual),
  "/api/omni/login": (b) => omni.login(b.statusId),
  "/api/omni/logout": () => (omni.logout(), {}),
  "/api/omni/work/assign": (b) => omni.assignWork(b),
  "/api/omni/work/accept": (b) => omni.acceptWork(b),
  "/api/omni/work/decline": (b) => omni.declineWork(b),
  "/api/omni/work/close": (b) => omni.closeWork(b),
  "/api/omni/capacity": (b) => omni.setCapacity(b.configuredCapacity),
  "/api/phone/state": (b) => phone.setState(b.state),
  "/api/phone/call": (b) => phone.call(b.action),
  "/api/faults": setFaults,
  "/api/catalog": setCatalog,
  "/api/reset": () => {
    catalog = DEFAULT_CATALOG;
    reset();
    return snapshot();
  },
};

function json(res, status, value) {
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store" });
  res.end(JSON.stringify(value));
}

async function readText(req) {
  let text = "";
  for await (const chunk of req) {
    text += chunk;
    if (text.length > 65536) throw new HttpError(413, "body too large");
  }
  return text;
}

async function readBody(req) {
  const text = await readText(req);
  if (!text) return {};
  try {
    const body = JSON.parse(text);
    if (body && typeof body === "object" && !Array.isArray(body)) return body;
  } catch {
    // fall through
  }
  throw new HttpError(400, "the body must be a JSON object");
}

/**
 * Why a state-changing request may not come from a web page of another site, or null.
 * A page can send a form-like POST anywhere (`mode: "no-cors"`, `text/plain`) without
 * asking: the body must be declared JSON, which only a same-origin page can send
 * without a preflight this server never answers, and a browser's `Origin` (sent with
 * every POST) must be this server's own (127.0.0.1 or localhost on the port the request
 * came to, which also refuses a DNS-rebound name). Tools that are not browsers (curl,
 * the tests' harness) send no Origin and are not a web page's reach.
 * @param {http.IncomingMessage} req
 * @returns {string | null}
 */
function crossSite(req) {
  const type = String(req.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
  if (type !== "application/json") return "state-changing requests must be application/json";
  const origin = req.headers.origin;
  if (origin === undefined) return null;
  const port = req.socket.localPort;
  const own = [`http://127.0.0.1:${port}`, `http://localhost:${port}`];
  return own.includes(origin) ? null : `requests from ${origin} may not change the simulated systems`;
}

/** The stand-in for CXone's cloud (www/test/cxone-cloud.mjs), its agent the demo's phone. */
async function cxoneCloud() {
  if (cloud) return cloud;
  const { createCloud } = await import("../www/test/cxone-cloud.mjs");
  const agent = phone;
  const made = createCloud({
    ...cxoneAgentState(agent.state()),
    codes: catalog.telephonyStates.filter((name) => name !== "Available"),
    apply: (body) => agent.setState(phoneStateOf(body)),
  });
  agent.on((event) => event.type === "telephony.stateChanged" && made.change(cxoneAgentState(event.newState)));
  cloud = made;
  return cloud;
}

/** A request of the CXone SDK, answered by the cloud stand-in (it speaks fetch). */
async function cxoneRequest(req, res, url) {
  const { ACD_BASE } = await import("../www/test/cxone-cloud.mjs");
  const stand = await cxoneCloud();
  const body = req.method === "GET" || req.method === "HEAD" ? undefined : await readText(req);
  const answer = await stand.fetch(`${ACD_BASE}${url.pathname.slice(CXONE_CLOUD.length)}${url.search}`, { method: req.method, body });
  res.writeHead(answer.status, { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store" });
  res.end(answer.status === 304 ? undefined : await answer.text());
}

/** The SDK as one classic script defining `CXoneSdk`, bundled once. */
async function serveSdk(res) {
  const { sdkBundle } = await import("../www/test/cxone-cloud.mjs");
  const code = await sdkBundle();
  res.writeHead(200, { "Content-Type": MIME[".js"], "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff" });
  res.end(code);
}

async function api(req, res, url) {
  if (req.method === "GET" && url.pathname === "/api/state") return json(res, 200, snapshot());
  if (req.method === "GET" && url.pathname === "/api/log") return json(res, 200, { entries: log });
  if (req.method === "GET" && url.pathname === "/api/softphone") return json(res, 200, { origin: softphoneOrigin });
  // What the CXone SDK asked CXone to set, for the tests.
  if (req.method === "GET" && url.pathname === "/api/cxone") return json(res, 200, { setStateCalls: cloud?.setStateCalls ?? [] });
  if (req.method === "GET" && url.pathname === "/api/events") return openStream(req, res);
  const handler = WRITES[url.pathname];
  if (!handler) return json(res, 404, { error: "no such endpoint" });
  if (req.method !== "POST") return json(res, 405, { error: "POST only" });
  const refusal = crossSite(req);
  if (refusal) return json(res, 403, { error: refusal });
  let entry;
  try {
    const body = await readBody(req);
    const by = body.by === "toolkit" ? "toolkit" : "agent";
    if (by === "toolkit") {
      // Every toolkit write is recorded, so tests can count the actions per change.
      entry = { at: Date.now(), path: url.pathname, body, tab: req.headers["x-omnisync-tab"] ?? null, outcome: "ok" };
      log.push(entry);
      if (faults.rejectRate > 0 && random() < faults.rejectRate) throw new HttpError(503, "injected fault: service unavailable");
    }
    return json(res, 200, handler(body, by));
  } catch (err) {
    const status = err instanceof HttpError ? err.status : err instanceof Refused ? HTTP_STATUS[err.code] ?? 400 : 500;
    if (entry) entry.outcome = status === 503 ? "rejected" : "refused";
    return json(res, status, { error: err.message });
  }
}

function serveFile(req, res, url) {
  if (req.method !== "GET" && req.method !== "HEAD") return json(res, 405, { error: "GET only" });
  let pathname;
  try {
    pathname = decodeURIComponent(url.pathname);
  } catch {
    return json(res, 400, { error: "bad path" });
  }
  if (pathname === "/") return redirect(res, "/demo/");
  const [prefix, dir] = MOUNTS.find(([p]) => pathname.startsWith(p));
  const base = path.join(ROOT, dir);
  let file = path.join(base, pathname.slice(prefix.length));
  // path.join normalises "..": anything that leaves the mount is refused.
  if (file !== base && !file.startsWith(base + path.sep)) return json(res, 403, { error: "forbidden" });
  let stat = fs.statSync(file, { throwIfNoEntry: false });
  if (stat?.isDirectory()) {
    if (!pathname.endsWith("/")) return redirect(res, `${pathname}/`);
    file = path.join(file, "index.html");
    stat = fs.statSync(file, { throwIfNoEntry: false });
  }
  if (!stat?.isFile()) return json(res, 404, { error: `not found: ${pathname}` });
  const type = MIME[path.extname(file)] ?? "application/octet-stream";
  const headers = { "Content-Type": type, "Content-Length": stat.size, "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff" };
  const cxonePage = pathname === "/demo/softphone.html" && url.searchParams.get("phone") === "cxone";
  if (type.startsWith("text/html")) headers["Content-Security-Policy"] = cxonePage ? CXONE_CSP : CSP;
  res.writeHead(200, headers);
  if (req.method === "HEAD") return res.end();
  fs.createReadStream(file).pipe(res);
}

function redirect(res, location) {
  res.writeHead(302, { Location: location });
  res.end();
}

function parsePort(argv, flag, fallback) {
  const i = argv.indexOf(flag);
  const value = i >= 0 ? argv[i + 1] : (argv.find((a) => a.startsWith(`${flag}=`)) ?? "").slice(flag.length + 1) || fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`usage: node scripts/serve.mjs [--port N] [--softphone-port N]  (bad ${flag} ${JSON.stringify(value)})`);
    process.exit(2);
  }
  return port;
}

let softphoneOrigin = null;

const handler = (req, res) => {
  const url = new URL(req.url, "http://127.0.0.1");
  const handle = url.pathname.startsWith("/api/") ? api(req, res, url)
    : url.pathname.startsWith(`${CXONE_CLOUD}/`) ? cxoneRequest(req, res, url)
      : url.pathname === "/demo/cxone-sdk.js" ? serveSdk(res)
        : serveFile(req, res, url);
  Promise.resolve(handle).catch((err) => {
    console.error(err);
    if (!res.headersSent) json(res, 500, { error: "internal error" });
    else res.end();
  });
};
// Both origins serve the same files and the same simulated systems.
const server = http.createServer(handler);
const softphoneServer = http.createServer(handler);
const argv = process.argv.slice(2);

softphoneServer.listen(parsePort(argv, "--softphone-port", "0"), "127.0.0.1", () => {
  softphoneOrigin = `http://127.0.0.1:${softphoneServer.address().port}`;
  server.listen(parsePort(argv, "--port", "8080"), "127.0.0.1", () => {
    console.log(`softphone frames served from ${softphoneOrigin}/demo/softphone.html`);
    console.log(`listening on http://127.0.0.1:${server.address().port}/demo/`);
  });
});

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    for (const res of clients) res.end();
    softphoneServer.close();
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 500).unref();
  });
}
