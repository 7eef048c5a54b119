// Hostile values at every entry point of the wasm class, then the proof that nothing
// was poisoned: the instance that was attacked, another instance and a running runtime
// all still decide a good event. One driver for every place it runs: node --test
// (www/test/hostile.test.mjs) and the wasm tests in node and Chromium
// (crates/wasm/tests/wasm_node.rs, crates/wasm/tests/wasm_browser.rs include this file's text).
//
// `hostileChecks(OmniSync, sleep, feed?)` resolves to a summary, or rejects with what
// failed; with the shim's `feed` (www/events.js), the hostile events go through it too.

async function hostileChecks(OmniSync, sleep, feed) {
  const LUNCH = "0N5Hs0000002AAAAA2";
  const AVAILABLE = "0N5Hs0000001AAAAA1";
  const rules = {
    version: 1,
    statuses: [
      { id: AVAILABLE, developerName: "Available", online: true },
      { id: LUNCH, developerName: "Lunch", online: false },
    ],
    telephony: { system: "amazon-connect", states: ["Available", "Lunch"] },
    mappings: { telephonyToOmni: [{ telephony: "Lunch", omni: "Lunch" }, { telephony: "Available", omni: "Available" }] },
    rules: [],
  };
  const boom = () => { throw new Error("hostile"); };
  // Every trap a read could hit throws.
  const trap = () => new Proxy({}, {
    get: boom, has: boom, ownKeys: boom, getOwnPropertyDescriptor: boom, getPrototypeOf: boom,
    apply: boom, construct: boom, set: boom, defineProperty: boom, deleteProperty: boom,
  });
  const trapArray = () => new Proxy([], { get: boom, has: boom, ownKeys: boom, getOwnPropertyDescriptor: boom });
  /** The value as a throwing Proxy, then each field as a throwing getter and as a Proxy. */
  function variants(base) {
    const out = [trap()];
    for (const key of Object.keys(base)) {
      const getter = { ...base };
      delete getter[key];
      Object.defineProperty(getter, key, { get: boom, enumerable: true });
      out.push(getter, { ...base, [key]: trap() }, { ...base, [key]: trapArray() });
    }
    return out;
  }
  const events = [
    { type: "omni.statusChanged", statusId: LUNCH, statusApiName: "Lunch", statusName: "Lunch",
      channels: [{ channelId: "0N9a", developerName: "Cases" }], reason: "OmniManualStatusChange", at: 5 },
    { type: "omni.workloadChanged", configuredCapacity: 4, previousWorkload: 0, newWorkload: 1, at: 5 },
    { type: "omni.workAccepted", workItemId: "500x", workId: "0Bz1", serviceChannel: "Cases", at: 5 },
    { type: "telephony.stateChanged", oldState: "Available", newState: "Lunch", at: 5 },
  ];
  const hostileEvents = events.flatMap(variants);
  // Nested: a channel that throws, a channel list whose elements throw.
  hostileEvents.push(
    { ...events[0], channels: [trap()] },
    { ...events[0], channels: [Object.defineProperty({}, "channelId", { get: boom, enumerable: true })] },
  );
  const hostileRules = [...variants(rules), { ...rules, statuses: [trap()] },
    { ...rules, telephony: { ...rules.telephony, states: trapArray() } }];

  let phone = "Available";
  const good = () => {
    phone = phone === "Lunch" ? "Available" : "Lunch";
    return { type: "telephony.stateChanged", newState: phone, at: 10 };
  };
  /** A fresh engine at the phone's Lunch decides to set Omni to Lunch. */
  const decides = (sync, what) => {
    const event = { type: "telephony.stateChanged", newState: "Lunch", at: 20 };
    const decision = sync.handle(event);
    if (decision.actions.length !== 1 || decision.actions[0].developerName !== "Lunch") {
      throw new Error(`${what}: no longer decides a good event: ${JSON.stringify(decision.actions)}`);
    }
    if (decision.trace().rules[0]?.rule !== decision.actions[0].rule) throw new Error(`${what}: trace unreadable`);
    sync.handle({ type: "telephony.stateChanged", newState: "Available", at: 21 });
  };
  /** A call that must refuse: it throws an Error, never a trap or "recursive use". */
  const refuses = (what, call) => {
    try {
      call();
    } catch (err) {
      const text = String(err?.message ?? err);
      if (!(err instanceof Error) || /unreachable|recursive use|already (mutably )?borrowed|null pointer/i.test(text)) {
        throw new Error(`${what}: threw the wrong thing: ${text}`);
      }
      return;
    }
    throw new Error(`${what}: accepted a hostile value`);
  };

  // The bridges of a running runtime: answer at once, record the writes.
  const writes = [];
  const listeners = { host: [], phone: [] };
  const names = { [LUNCH]: "Lunch", [AVAILABLE]: "Available" };
  const bridges = (hostile = false) => ({
    host: {
      subscribe: (cb) => listeners.host.push(cb),
      setServicePresenceStatus: async (statusId) => {
        writes.push(statusId);
        if (hostile) throw trap();
        // The toolkit's echo, as Omni-Channel reports the change.
        queueMicrotask(() => listeners.host[0]({ type: "omni.statusChanged", statusId,
          statusApiName: names[statusId], reason: "OmniToolkitStatusChange" }));
      },
      login: async () => {},
      getServicePresenceStatusId: async () => (hostile ? trap() : { statusId: AVAILABLE, statusApiName: "Available" }),
      getAgentWorkload: async () => (hostile
        ? Object.defineProperty({}, "configuredCapacity", { get: boom, enumerable: true })
        : { configuredCapacity: 4, currentWorkload: 0 }),
    },
    telephony: {
      subscribe: (cb) => listeners.phone.push(cb),
      setState: async () => { if (hostile) return trap(); },
      getState: async () => (hostile ? trap() : "Available"),
    },
  });
  const { host, telephony } = bridges();
  const runtime = OmniSync.start({ rules, host, telephony, storage: null, reconcileMs: 0, channel: `hostile-${Math.random()}` });
  for (let i = 0; i < 50 && !runtime.isLeader(); i++) await sleep(100);
  if (!runtime.isLeader()) throw new Error("the runtime never led");
  /** The phone changes: the runtime sets Omni to the same status through the host. */
  const runtimeDecides = async (what) => {
    const before = writes.length;
    listeners.phone[0](good());
    for (let i = 0; i < 20 && writes.length === before; i++) await sleep(10);
    if (writes.length !== before + 1) throw new Error(`${what}: the runtime no longer acts (${writes.length - before} writes)`);
  };
  await runtimeDecides("the runtime before anything hostile");

  const victim = new OmniSync(rules);
  const other = new OmniSync(rules);
  let refused = 0;
  for (const [i, event] of hostileEvents.entries()) {
    refuses(`handle(event ${i})`, () => victim.handle(event));
    refused++;
    if (feed) {
      refuses(`feed(event ${i})`, () => feed(victim, event));
      refused++;
    }
  }
  // The same events as plain values (`handleFields`): each kind with good fields, then
  // each argument in turn replaced by a hostile value, which is refused as that field.
  const channels = [{ channelId: "0N9a", developerName: "Cases" }];
  const work = ["500x", "0Bz1", "Cases"];
  const plain = [[AVAILABLE], [LUNCH, "Lunch", "Lunch", channels, "OmniManualStatusChange"], ["OmniManualLogout"],
    work, work, work, work, [4, 0, 1], ["Lunch", "Available"], [60000]];
  const hostileValues = [trap(), trapArray(), { toString: boom, valueOf: boom }, Symbol("hostile")];
  plain.forEach((fields, kind) => {
    new OmniSync(rules).handleFields(kind, 5, ...fields);
    for (let slot = 0; slot <= fields.length; slot++) {
      for (const value of hostileValues) {
        const args = [5, ...fields];
        args[slot] = value;
        refuses(`handleFields(${kind}, argument ${slot})`, () => victim.handleFields(kind, ...args));
        refused++;
      }
    }
  });
  refuses("handleFields(unknown kind)", () => victim.handleFields(plain.length, 5));
  refuses("handleFields(hostile kind)", () => victim.handleFields(trap(), 5));
  decides(victim, "the instance given hostile events");
  decides(other, "another instance");
  for (const [i, file] of hostileRules.entries()) {
    refuses(`loadRules(rules ${i})`, () => victim.loadRules(file));
    refuses(`new OmniSync(rules ${i})`, () => new OmniSync(file));
    refused += 2;
  }
  decides(victim, "the instance given hostile rules");

  // start: hostile options may be refused or ignored, never poison anything.
  const options = { rules, host, telephony, context: { userId: "005x", teams: ["A"] }, storage: null,
    channel: "hostile-start", reconcileMs: 0, traceSize: 50, onUpdate: () => {} };
  let started = 0;
  for (const opts of [...variants(options), { ...options, context: { teams: trapArray() } },
    { ...options, host: { ...host, subscribe: trap() } }]) {
    try {
      OmniSync.start(opts).stop();
      started++;
    } catch (err) {
      refuses("start", () => { throw err; });
      refused++;
    }
  }
  decides(victim, "the instance after hostile starts");

  // push and the bridges' callbacks: refused events are traced, never thrown.
  for (const event of hostileEvents) {
    runtime.push(event);
    listeners.host[0](event);
    listeners.phone[0](event);
  }
  await runtimeDecides("the runtime given hostile events");

  // A runtime whose bridges answer with hostile values (reconcile and writes).
  const bad = bridges(true);
  const attacked = OmniSync.start({ rules, ...bad, storage: null, reconcileMs: 250, channel: `hostile-b-${Math.random()}` });
  listeners.phone[listeners.phone.length - 1]({ type: "telephony.stateChanged", newState: "Lunch", at: 30 });
  await sleep(400);
  attacked.stats();
  attacked.stop();
  await runtimeDecides("the runtime next to one with hostile bridges");
  decides(victim, "the instance at the end");
  decides(new OmniSync(rules), "a new instance at the end");
  runtime.stop();
  return { refused, started, hostileEvents: hostileEvents.length };
}

export { hostileChecks };
