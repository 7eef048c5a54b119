#!/usr/bin/env node
// The local Service Console demo server: static files plus the SIMULATED systems.
//
//   node scripts/serve.mjs [--port N]      (default 8080; 0 picks a free port)
//
// Serves www/ at / and pkg/web/ at /pkg/ on 127.0.0.1 only, with the Content Security
// Policy Salesforce pages impose, so the demo proves it runs without eval or inline
// script. Omni-Channel and the softphone live here, server-side, as they do for real:
// every tab of the agent then sees one agent, which is what tab leadership is about.
// No dependency beyond node itself, so a fresh checkout can run it.

import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
// Longest prefix first. /pkg/web/ too, so a shim importing "../pkg/web/..." from /
// resolves either way.
const MOUNTS = [
  ["/pkg/web/", "pkg/web"],
  ["/pkg/", "pkg/web"],
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
// Connect's states that a softphone reports but no one may set (docs/rules.md).
const SYSTEM_STATES = ["Busy", "Pending", "PendingBusy", "CallingCustomer", "AfterCallWork",
  "MissedCallAgent", "FailedConnectAgent"];
const REASON = { toolkit: "OmniToolkitStatusChange", agent: "OmniManualStatusChange" };

// ---------------------------------------------------------------- the org's catalog

// The org is described by the demo's default rules, which name statuses only (rules
// travel between orgs): the simulated org gives each its own Id, and the page hands
// the engine these records as its catalog, as a Salesforce host page does.
const rulesFile = JSON.parse(fs.readFileSync(path.join(ROOT, "www/demo/default-rules.json"), "utf8"));
const catalog = {
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
const statusById = (id) => catalog.statuses.find((s) => s.id === id || s.id.slice(0, 15) === id);

// ---------------------------------------------------------------- simulated agent

let sim;
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
  const first = catalog.statuses.find((s) => s.online) ?? catalog.statuses[0];
  sim = {
    omni: { loggedIn: true, statusId: first.id },
    workload: { configuredCapacity: 2, currentWorkload: 0 },
    works: [],
    telephony: { state: catalog.telephonyStates.includes("Available") ? "Available" : catalog.telephonyStates[0] ?? "Available" },
    nextWork: 1,
  };
  log = [];
  faults = { rejectRate: 0, dropRate: 0, seed: 1 };
  random = prng(faults.seed);
}
reset();

function snapshot() {
  const status = statusById(sim.omni.statusId);
  return {
    omni: {
      loggedIn: sim.omni.loggedIn,
      statusId: sim.omni.loggedIn ? status.id : null,
      developerName: sim.omni.loggedIn ? status.developerName : null,
      label: sim.omni.loggedIn ? status.label ?? status.developerName : null,
      channels: sim.omni.loggedIn ? channelsOf(status) : [],
    },
    workload: { ...sim.workload },
    works: sim.works.map((w) => ({ ...w })),
    telephony: { state: sim.telephony.state, onCall: SYSTEM_STATES.includes(sim.telephony.state) },
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

// Salesforce's away statuses are the ones without channels.
const channelsOf = (status) =>
  status.online ? catalog.channels.map(({ channelId, developerName }) => ({ channelId, developerName })) : [];

/** An error the API answers with its HTTP status. */
class Refused extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

function statusEvent(status, reason) {
  return {
    type: "omni.statusChanged", statusId: status.id, statusName: status.label ?? status.developerName,
    statusApiName: status.developerName, channels: channelsOf(status), reason,
  };
}

function setStatus({ statusId }, by) {
  const status = statusById(statusId);
  if (!status) throw new Refused(400, `no ServicePresenceStatus with Id ${JSON.stringify(statusId)}`);
  // setServicePresenceStatus logs a logged-out agent in, as the real API does.
  if (!sim.omni.loggedIn) {
    sim.omni.loggedIn = true;
    emit({ type: "omni.loginSuccess", statusId: status.id });
  }
  sim.omni.statusId = status.id;
  emit(statusEvent(status, REASON[by]));
  const { statusId: id, statusName, statusApiName, channels } = statusEvent(status);
  return { statusId: id, statusName, statusApiName, channels };
}

function login({ statusId }) {
  const status = statusById(statusId);
  if (!status) throw new Refused(400, `no ServicePresenceStatus with Id ${JSON.stringify(statusId)}`);
  sim.omni = { loggedIn: true, statusId: status.id };
  emit({ type: "omni.loginSuccess", statusId: status.id });
  emit(statusEvent(status, "OmniLoginStatusChange"));
  return { statusId: status.id };
}

function logout() {
  if (!sim.omni.loggedIn) throw new Refused(409, "the agent is not logged in to Omni-Channel");
  sim.omni.loggedIn = false;
  // Offers not yet accepted go back to the queue; nothing is routed to a logged-out agent.
  for (const w of sim.works) if (w.status === "Assigned") w.status = "Canceled";
  emit({ type: "omni.logout" });
  return {};
}

function findWork({ workId, workItemId }, wanted) {
  const work = sim.works.find((w) => (workId && w.workId === workId) || (workItemId && w.workItemId === workItemId));
  if (!work) throw new Refused(404, "no such work item");
  if (work.status !== wanted) throw new Refused(409, `the work is ${work.status}, not ${wanted}`);
  return work;
}

const workRef = (w) => ({ workId: w.workId, workItemId: w.workItemId, serviceChannel: w.serviceChannel });

function changeWorkload(delta) {
  const previousWorkload = sim.workload.currentWorkload;
  sim.workload.currentWorkload = Math.max(0, previousWorkload + delta);
  emit({ type: "omni.workloadChanged", configuredCapacity: sim.workload.configuredCapacity,
    previousWorkload, newWorkload: sim.workload.currentWorkload });
}

const WORK = {
  assign(body) {
    if (!sim.omni.loggedIn) throw new Refused(409, "Omni-Channel routes no work to a logged-out agent");
    if (!statusById(sim.omni.statusId).online) throw new Refused(409, "Omni-Channel routes no work to an away status");
    const channel = catalog.channels.find((c) => c.developerName === body.channel) ?? catalog.channels[0];
    const n = String(sim.nextWork++).padStart(6, "0");
    const units = Number(body.units ?? 1);
    if (!(units > 0)) throw new Refused(400, "units must be a number above 0");
    const work = {
      workId: body.workId ?? `0BzHs00000${n}AA`,
      workItemId: body.workItemId ?? `${channel?.prefix ?? "500"}Hs00000${n}AA`,
      serviceChannel: channel?.developerName ?? null, units, status: "Assigned",
    };
    sim.works.push(work);
    sim.works = sim.works.slice(-20); // the widget lists the latest ones only
    emit({ type: "omni.workAssigned", ...workRef(work) });
    return work;
  },
  accept(body) {
    const work = findWork(body, "Assigned");
    work.status = "Opened";
    emit({ type: "omni.workAccepted", ...workRef(work) });
    changeWorkload(work.units);
    return work;
  },
  decline(body) {
    const work = findWork(body, "Assigned");
    work.status = "Declined";
    emit({ type: "omni.workDeclined", ...workRef(work) });
    return work;
  },
  close(body) {
    const work = findWork(body, "Opened");
    work.status = "Closed";
    emit({ type: "omni.workClosed", ...workRef(work) });
    changeWorkload(-work.units);
    return work;
  },
};

function setCapacity({ configuredCapacity }) {
  const capacity = Number(configuredCapacity);
  if (!(capacity > 0 && capacity <= 1000)) throw new Refused(400, "configuredCapacity must be a number in (0, 1000]");
  sim.workload.configuredCapacity = capacity;
  changeWorkload(0);
  return { ...sim.workload };
}

function setPhone(state) {
  const oldState = sim.telephony.state;
  sim.telephony.state = state;
  emit({ type: "telephony.stateChanged", oldState, newState: state });
  return { state };
}

function phoneState({ state }) {
  if (typeof state !== "string" || !state) throw new Refused(400, "state must be a state name");
  if (SYSTEM_STATES.includes(state)) throw new Refused(400, `${state} is a system state: it can be read but never set`);
  if (catalog.telephonyStates.length && !catalog.telephonyStates.includes(state)) {
    throw new Refused(400, `the softphone has no agent state ${JSON.stringify(state)}`);
  }
  if (SYSTEM_STATES.includes(sim.telephony.state)) throw new Refused(409, "the agent is on a contact");
  return setPhone(state);
}

function call({ action }) {
  const current = sim.telephony.state;
  if (action === "start" && !SYSTEM_STATES.includes(current)) return setPhone("Busy");
  if (action === "wrap" && current === "Busy") return setPhone("AfterCallWork");
  if (action === "end" && (current === "Busy" || current === "AfterCallWork")) return setPhone("Available");
  throw new Refused(409, `cannot ${action} a call while the phone is ${current}`);
}

function setFaults(body) {
  const rate = (v) => {
    const n = Number(v ?? 0);
    if (!(n >= 0 && n <= 1)) throw new Refused(400, "rates must be numbers from 0 to 1");
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
  "/api/omni/status": (b, by) => setStatus(b, by),
  "/api/omni/login": login,
  "/api/omni/logout": logout,
  "/api/omni/work/assign": WORK.assign,
  "/api/omni/work/accept": WORK.accept,
  "/api/omni/work/decline": WORK.decline,
  "/api/omni/work/close": WORK.close,
  "/api/omni/capacity": setCapacity,
  "/api/phone/state": phoneState,
  "/api/phone/call": call,
  "/api/faults": setFaults,
  "/api/reset": () => {
    reset();
    return snapshot();
  },
};

function json(res, status, value) {
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store" });
  res.end(JSON.stringify(value));
}

async function readBody(req) {
  let text = "";
  for await (const chunk of req) {
    text += chunk;
    if (text.length > 65536) throw new Refused(413, "body too large");
  }
  if (!text) return {};
  try {
    const body = JSON.parse(text);
    if (body && typeof body === "object" && !Array.isArray(body)) return body;
  } catch {
    // fall through
  }
  throw new Refused(400, "the body must be a JSON object");
}

async function api(req, res, url) {
  if (req.method === "GET" && url.pathname === "/api/state") return json(res, 200, snapshot());
  if (req.method === "GET" && url.pathname === "/api/log") return json(res, 200, { entries: log });
  if (req.method === "GET" && url.pathname === "/api/events") return openStream(req, res);
  const handler = WRITES[url.pathname];
  if (!handler) return json(res, 404, { error: "no such endpoint" });
  if (req.method !== "POST") return json(res, 405, { error: "POST only" });
  let entry;
  try {
    const body = await readBody(req);
    const by = body.by === "toolkit" ? "toolkit" : "agent";
    if (by === "toolkit") {
      // Every toolkit write is recorded, so tests can count the actions per change.
      entry = { at: Date.now(), path: url.pathname, body, tab: req.headers["x-omnisync-tab"] ?? null, outcome: "ok" };
      log.push(entry);
      if (faults.rejectRate > 0 && random() < faults.rejectRate) throw new Refused(503, "injected fault: service unavailable");
    }
    return json(res, 200, handler(body, by));
  } catch (err) {
    const status = err instanceof Refused ? err.status : 500;
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
  if (type.startsWith("text/html")) headers["Content-Security-Policy"] = CSP;
  res.writeHead(200, headers);
  if (req.method === "HEAD") return res.end();
  fs.createReadStream(file).pipe(res);
}

function redirect(res, location) {
  res.writeHead(302, { Location: location });
  res.end();
}

function parsePort(argv) {
  const i = argv.indexOf("--port");
  const value = i >= 0 ? argv[i + 1] : (argv.find((a) => a.startsWith("--port=")) ?? "").slice(7) || "8080";
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`usage: node scripts/serve.mjs [--port N]  (bad port ${JSON.stringify(value)})`);
    process.exit(2);
  }
  return port;
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url, "http://127.0.0.1");
  const handle = url.pathname.startsWith("/api/") ? api(req, res, url) : serveFile(req, res, url);
  Promise.resolve(handle).catch((err) => {
    console.error(err);
    if (!res.headersSent) json(res, 500, { error: "internal error" });
    else res.end();
  });
});

server.listen(parsePort(process.argv.slice(2)), "127.0.0.1", () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}/demo/`);
});

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    for (const res of clients) res.end();
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 500).unref();
  });
}
