// The host's side of the telephony protocol (docs/message-channel.md, "Telephony"): the
// phone adapter (docs/telephony.md) of a phone in another frame, reached over a message
// channel through the softphone's relay (www/salesforce/relay.js). Transport-agnostic:
// it takes a `{postMessage, subscribe}` pair, whether that is the message service, a
// port forwarded by the Aura bridge (www/port.js) or the demo's postMessage.
//
// The channel has no sender identity, so the host pairs with one relay by ECDH and
// takes from then on only messages signed with the key they share, each with a higher
// sequence number than the last. The relay is kept until it says `bye` or stops
// answering a query; a second relay claiming it meanwhile is reported and ignored.

import { NO_STATE, callbacks, phoneError as telephonyError } from "./shared.js";
import { signer } from "./signing.js";

/** The telephony protocol version this shim and www/salesforce/relay.js speak. */
export const TELEPHONY_PROTOCOL = 2;

// What a relay may ask of our timers (its heartbeat interval, the time it gives the
// phone): clamped, so no peer can make a timer wrap past 2^31-1 ms or spin.
const EVERY_MS = [50, 60_000];
const REPLY_WITHIN_MS = [50, 120_000];
const MAX_REPORTED = 20;

const clamp = (value, [low, high], fallback) =>
  (typeof value === "number" && Number.isFinite(value) ? Math.min(Math.max(value, low), high) : fallback);

/**
 * The phone adapter over the message channel to the softphone's relay. A snapshot is
 * never a state change, so a softphone reload moves nothing. While no relay answers,
 * `read` answers null and `set` fails with code `noRelay`, but only after a query to
 * the relay went unanswered. `onReady` and `onLost` follow the status: ready while a
 * relay answers and its phone has an agent.
 * @param {{postMessage: Function, subscribe: Function}} port the channel.
 * @param {{timeoutMs?: number, missedBeats?: number, queryMs?: number, onStatus?: Function,
 *   onNote?: Function, log?: object, lifecycle?: EventTarget|null}} [options] `timeoutMs`:
 *   wait for a reply beyond the relay's own `replyWithinMs` (default 2000);
 *   `missedBeats` (default 3) heartbeats of silence before the host queries the relay;
 *   `queryMs` (default 3000) for its answer; `onStatus({connected, text})` when the
 *   status changes; `onNote(kind, message)` for the trace; `lifecycle`: where
 *   `visibilitychange`, `resume` and `pagehide` come from (default `document`/`window`).
 * @returns {object} a phone adapter (docs/telephony.md), `name` "channel", with
 *   `status()`, `attach(runtime)` (sends the trace notes, those kept since start
 *   included, to `runtime.note`), `dropped()` and `close()` (says bye to the relay).
 */
export function channelPhone(port, options = {}) {
  const { timeoutMs = 2000, missedBeats = 3, queryMs = 3000, log = console } = options;
  const changes = callbacks();
  const ready = callbacks();
  const lost = callbacks();
  let offered = null; // the names the relay's phone last said it offers
  const waiting = new Map();
  const notes = [];
  const refused = new Set();
  const reported = new Set();
  const dropped = { unsigned: 0, badSignature: 0, replayed: 0, unknownReply: 0 };
  const signing = signer(crypto);
  const host = signing.randomId();
  const { publicKey } = signing;
  let runtime = null;
  let relay = null; // {id, key, seq, source, everyMs, replyWithinMs, alive, ready, timer, bye}
  let previous = null; // the id of the last relay, to recognise a reload
  let pairing = null;
  let query = null;
  let captured = false;
  let seq = 0;
  let outbox = Promise.resolve();
  let inbox = Promise.resolve();
  let closed = false;
  let started = false;

  const offer = (states) => {
    if (Array.isArray(states)) offered = states.filter((name) => typeof name === "string").slice(0, 200);
  };
  const note = (kind, message) => {
    options.onNote?.(kind, message);
    if (runtime?.note) runtime.note(kind, message);
    else notes.push([kind, message]);
  };
  const status = () => {
    if (relay?.alive && relay.ready) return { connected: true, text: `softphone relay: ${relay.source}` };
    if (relay?.alive) return { connected: false, text: `softphone relay: ${relay.source}, phone not ready` };
    return { connected: false, text: captured ? "waiting for the softphone (it is paired with another console page)" : "waiting for the softphone" };
  };
  let shown = null;
  const announce = () => {
    const now = status();
    if (shown?.text === now.text) return;
    const was = shown?.connected ?? false;
    shown = now;
    if (now.connected && !was) ready.call();
    else if (!now.connected && was) lost.call(now.text);
    options.onStatus?.(now);
  };

  const raw = (type, fields) => port.postMessage({ kind: "telephony", version: TELEPHONY_PROTOCOL, type, from: "host", host, ...fields });
  function signed(type, fields, to = relay) {
    const message = { kind: "telephony", version: TELEPHONY_PROTOCOL, type, from: "host", host, relay: to.id, seq: (seq += 1), ...fields };
    return signing.sign(to.key, message);
  }
  /** Signs and sends in order. */
  function send(type, fields) {
    const to = relay;
    if (!to) return Promise.resolve();
    outbox = outbox.then(() => signed(type, fields, to)).then((message) => {
      if (!closed) port.postMessage(message);
    }).catch((error) => log.warn(`omnisync: could not sign the telephony ${type}`, error));
    return outbox;
  }

  function watchSilence() {
    clearTimeout(relay.timer);
    const current = relay;
    relay.timer = setTimeout(() => {
      if (relay === current) ask();
    }, Math.min(relay.everyMs * missedBeats, 2 ** 31 - 1));
  }

  /** Anything signed by the paired relay is a sign of life. */
  function heard() {
    const back = !relay.alive && relay.heardBefore;
    relay.alive = true;
    relay.heardBefore = true;
    if (back) note("telephony", "softphone relay returned: it answers again");
    query?.answered();
    watchSilence();
  }

  /** Asks the paired relay whether it is there: true when anything signed came back in time. */
  function ask() {
    if (!relay) return Promise.resolve(false);
    if (query) return query.promise;
    const current = relay;
    let answered;
    const promise = new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), queryMs);
      answered = () => {
        clearTimeout(timer);
        resolve(true);
      };
    }).then((alive) => {
      query = null;
      if (!alive && relay === current && current.alive) {
        current.alive = false;
        note("telephony", `softphone relay silent: no heartbeat for ${current.everyMs * missedBeats} ms and no answer to a query within ${queryMs} ms`);
        announce();
        raw("hello", {}); // a relay that restarted answers this
      }
      return alive && relay === current;
    });
    query = { promise, answered };
    send("ping", {});
    return promise;
  }

  /** No relay yet: asks relays to say hello and waits a query's time for one to pair. */
  function discover() {
    raw("hello", {});
    return new Promise((resolve) => {
      const started = Date.now();
      const look = () => {
        if (relay?.alive) resolve(true);
        else if (Date.now() - started >= queryMs) resolve(false);
        else setTimeout(look, 20);
      };
      look();
    });
  }

  async function live() {
    if (query) await query.promise;
    if (relay?.alive) return true;
    if (relay) return ask();
    return discover();
  }

  function pair(message) {
    if (pairing || closed || typeof message.key !== "string" || message.key.length > 200) return;
    pairing = signing.sharedKey(message.key).then(async (key) => {
      if (relay) {
        clearTimeout(relay.timer);
        previous = relay.id;
      }
      relay = { id: message.relay, key, seq: 0, source: "softphone", everyMs: 5000, replyWithinMs: 8000, alive: false, ready: false, timer: null, since: Date.now() };
      relay.bye = await signed("bye", {}, relay);
      raw("pair", { relay: message.relay, key: await publicKey });
    }).catch(() => {
      dropped.unsigned += 1; // not a key
    }).finally(() => {
      pairing = null;
    });
  }

  /** A hello: a relay starting, or answering ours. */
  async function hello(message) {
    if (message.host !== undefined && message.host !== host) return; // an answer to another page
    if (!relay) return pair(message);
    // Pairing with one relay already: others wait until it answered or a query's time passed.
    if (!relay.heardBefore && Date.now() - relay.since < queryMs && message.relay !== relay.id) return;
    if (!relay.alive && !query && !relay.heardBefore) return pair(message);
    if (message.relay === relay.id) {
      // Our relay lost its pairing (it answers hellos only when unpaired): pair again.
      if (!relay.alive && relay.heardBefore) pair(message);
      return;
    }
    // A reload of the softphone: the new relay shows the token whose hash ours signed.
    if (message.succeeds === relay.id && typeof relay.next === "string" && typeof message.token === "string" && message.token.length <= 64) {
      const hash = await signing.hash(message.token);
      if (hash === relay.next && message.succeeds === relay.id) {
        relay.next = null;
        note("telephony", "softphone relay left (the softphone page reloaded)");
        pair(message);
        return;
      }
    }
    const answered = await ask();
    if (answered) {
      if (!reported.has(message.relay) && reported.size < MAX_REPORTED) {
        reported.add(message.relay);
        const text = `a second softphone relay claimed the pairing and was ignored (the paired one answers): ${String(message.relay).slice(0, 60)}`;
        note("telephony", text);
        log.warn(`omnisync: ${text}`);
      }
    } else pair(message);
  }

  function verified(message) {
    const { type } = message;
    if (type !== "bye") {
      if (!(message.seq > relay.seq)) {
        dropped.replayed += 1;
        return;
      }
      relay.seq = message.seq;
    }
    if (type === "bye") {
      clearTimeout(relay.timer);
      note("telephony", "softphone relay left (the softphone page closed or reloaded)");
      previous = relay.id;
      relay = null;
      announce();
      return;
    }
    const first = !relay.heardBefore;
    if (typeof message.source === "string") relay.source = message.source.slice(0, 40);
    heard();
    if (first) {
      note("telephony", previous ? `softphone relay returned after a reload of the softphone (${relay.source})` : `softphone relay appeared (${relay.source})`);
      captured = false;
    }
    if (type === "paired" || type === "heartbeat") {
      relay.everyMs = clamp(message.everyMs, EVERY_MS, relay.everyMs);
      relay.replyWithinMs = clamp(message.replyWithinMs, REPLY_WITHIN_MS, relay.replyWithinMs);
      watchSilence();
      if (type === "heartbeat") relay.ready = true;
      else {
        relay.ready = message.ready === true;
        if (typeof message.next === "string") relay.next = message.next.slice(0, 64);
      }
    } else if (type === "snapshot") {
      relay.ready = true;
      offer(message.states);
    }
    else if (type === "notReady") {
      relay.ready = false;
      note("telephony", `softphone relay: the phone is not ready (${String(message.reason).slice(0, 200)})`);
    } else if (type === "changed") {
      relay.ready = true;
      offer(message.states);
      const { oldState, newState } = message;
      // The relay's adapter filtered already; a relay of the same version may not have.
      if (typeof newState === "string" && newState !== NO_STATE && newState !== oldState) {
        changes.call(typeof oldState === "string" && oldState !== NO_STATE ? oldState : null, newState);
      }
    } else if (type === "ping") send("pong", {});
    else if (type === "reply") {
      const entry = waiting.get(message.id);
      if (!entry) {
        dropped.unknownReply += 1;
        return;
      }
      waiting.delete(message.id);
      clearTimeout(entry.timer);
      if (message.ok) entry.resolve(message.result ?? null);
      else entry.reject(telephonyError(message.error?.code ?? "refused", String(message.error?.message ?? "the softphone refused").slice(0, 300)));
    }
    announce();
  }

  const receive = (message) => {
    if (closed || message?.kind !== "telephony") return;
    const { version } = message;
    if (version !== TELEPHONY_PROTOCOL) {
      // Never half-read: another version's message may mean something else.
      const key = String(version).slice(0, 20);
      if (!refused.has(key) && refused.size < 10) {
        refused.add(key);
        log.warn(`omnisync: telephony message of version ${key} refused: this page speaks version ${TELEPHONY_PROTOCOL}; update the relay and the host together`);
        note("refused", `telephony message of version ${key} refused (this page speaks version ${TELEPHONY_PROTOCOL})`);
      }
      return;
    }
    if (message.from !== "relay" || typeof message.relay !== "string" || message.relay.length > 100) return;
    if (message.type === "hello") return void hello(message);
    if (message.type === "refused" && message.host === host) {
      if (!captured) note("telephony", "the softphone relay is paired with another console page");
      captured = true;
      announce();
      return;
    }
    const to = relay;
    if (!to || message.relay !== to.id || message.host !== host) return;
    if (typeof message.mac !== "string") {
      dropped.unsigned += 1;
      return;
    }
    inbox = inbox.then(async () => {
      if (relay !== to) return;
      const valid = await signing.verify(to.key, message);
      if (!valid) dropped.badSignature += 1;
      else if (relay === to) verified(message);
    }).catch(() => {
      dropped.badSignature += 1;
    });
  };

  const command = async (method, fields) => {
    if (!(await live())) throw telephonyError("noRelay", `waiting for the softphone: no relay answered for ${method}`);
    const to = relay;
    return new Promise((resolve, reject) => {
      const id = signing.randomId();
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(telephonyError("timeout", `${method}: no reply from the softphone relay`));
      }, Math.min(to.replyWithinMs + timeoutMs, 2 ** 31 - 1));
      waiting.set(id, { resolve, reject, timer });
      send("command", { id, method, ...fields });
    });
  };

  // A hidden page's timers run late and a frozen one's not at all: when the page comes
  // back, ask the relay before acting on anything.
  const lifecycle = options.lifecycle === undefined ? globalThis.document : options.lifecycle;
  const back = () => {
    if (lifecycle?.visibilityState === "hidden") return;
    if (relay) ask();
    else raw("hello", {});
  };
  const close = () => {
    if (relay?.bye) port.postMessage(relay.bye);
    closed = true;
    clearTimeout(relay?.timer);
  };

  return {
    name: "channel",
    start() {
      if (started) return;
      started = true;
      port.subscribe(receive);
      lifecycle?.addEventListener?.("visibilitychange", back);
      lifecycle?.addEventListener?.("resume", back);
      if (options.lifecycle === undefined) globalThis.addEventListener?.("pagehide", close);
      // A relay already running (this page reloaded, not the softphone) answers this.
      raw("hello", {});
    },
    onReady: ready.add,
    onLost: lost.add,
    onChange: changes.add,
    states: () => offered,
    systemStates: () => [],
    read: async () => (relay?.alive ? (await command("getState", {}))?.state ?? null : null),
    set: (name) => command("setState", { name }),
    status,
    dropped: () => ({ ...dropped }),
    close,
    attach(instance) {
      runtime = instance;
      if (runtime?.note) notes.splice(0).forEach(([kind, message]) => runtime.note(kind, message));
    },
  };
}
