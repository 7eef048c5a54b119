// A stand-in for the Lightning Message Service between a softphone's relay and the host
// page, for the telephony tests (telephony.test.mjs, phones.test.mjs): it delivers every
// message to every subscriber, later and as a copy, the publisher included, as the real
// one does.

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export async function until(probe, what, timeout = 2000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/** The channel: `opencti` for a relay, `port()` for a host, `log` of all traffic. */
export function lms({ drop = () => false } = {}) {
  const subscribers = new Set();
  const log = [];
  const deliver = (message) => {
    const copy = JSON.stringify(message);
    log.push(JSON.parse(copy));
    if (drop(message)) return;
    for (const listener of [...subscribers]) setTimeout(() => subscribers.has(listener) && listener(JSON.parse(copy)), 0);
  };
  const channel = {
    log,
    deliver,
    drop,
    opencti: {
      subscribe({ listener, callback }) {
        subscribers.add(listener);
        callback?.({ success: true, returnValue: listener });
      },
      unsubscribe({ subscription, callback }) {
        subscribers.delete(subscription);
        callback?.({ success: true });
      },
      publish({ message, callback }) {
        channel.deliver(message);
        callback?.({ success: true });
      },
    },
    port: () => ({ postMessage: (m) => channel.deliver(m), subscribe: (handler) => subscribers.add(handler) }),
    sent: (type) => log.filter((m) => m.kind === "telephony" && m.type === type),
  };
  return channel;
}

