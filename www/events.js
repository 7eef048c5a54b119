// Events to the engine as plain values: `feed` reads an event object here, in
// JavaScript, and calls the engine's `handleFields` with the event's kind as a number
// and the fields that kind has (docs/runtime.md, "Events as plain values"). A getter
// that throws does so here, before the engine is entered; the engine checks every
// value as `handle` does.

/**
 * The event kinds in the order of `OmniSync.eventNames()` (their numbers), each with
 * the fields `handleFields` takes after `at`, in order.
 */
export const EVENT_FIELDS = [
  ["omni.loginSuccess", ["statusId"]],
  ["omni.statusChanged", ["statusId", "statusApiName", "statusName", "channels", "reason"]],
  ["omni.logout", ["reason"]],
  ["omni.workAssigned", ["workItemId", "workId", "serviceChannel"]],
  ["omni.workAccepted", ["workItemId", "workId", "serviceChannel"]],
  ["omni.workDeclined", ["workItemId", "workId", "serviceChannel"]],
  ["omni.workClosed", ["workItemId", "workId", "serviceChannel"]],
  ["omni.workloadChanged", ["configuredCapacity", "previousWorkload", "newWorkload"]],
  ["telephony.stateChanged", ["newState", "oldState"]],
  ["timer.idle", ["idleMs"]],
];

/** Each kind's call, by its canonical name and, for Omni-Channel, its Lightning names. */
const ENTRIES = new Map();
EVENT_FIELDS.forEach(([name, fields], kind) => {
  // One small function per kind: plain property reads, no loop per event.
  const [a, b, c, d, e] = fields;
  const entry = (s, v) => s.handleFields(kind, v.at, a && v[a], b && v[b], c && v[c], d && v[d], e && v[e]);
  ENTRIES.set(name, entry);
  const lightning = name.startsWith("omni.") ? `omniChannel${name[5].toUpperCase()}${name.slice(6)}` : null;
  if (lightning) ENTRIES.set(lightning, entry).set(`lightning:${lightning}`, entry);
});

/**
 * Hands one event to an engine through `handleFields`. Events of other names (the
 * Classic `PRESENCE.*` ones) and JSON text go through `handle`, which reads them whole.
 * @param {object} engine an `OmniSync`.
 * @param {object | string} event `{type, at?, ...fields}` as `handle` takes it.
 * @returns {object[] | undefined} the actions (frozen), or `undefined` when there are
 *   none; the decision's trace is read with `engine.recent(limit)`.
 */
export function feed(engine, event) {
  const entry = event !== null && typeof event === "object" ? ENTRIES.get(event.type) : undefined;
  if (entry) return entry(engine, event);
  const { actions } = engine.handle(event);
  return actions.length > 0 ? actions.map(Object.freeze) : undefined;
}
