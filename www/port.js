// The one set-up of the port the OmniSyncBridge hands its page (docs/telephony.md):
// started at the first subscription, earlier messages waiting in it until then.

/**
 * The `{postMessage, subscribe}` transport over a MessagePort.
 * @param {MessagePort} port
 * @param {string[]} [kinds] the message kinds `subscribe` hands on (default all).
 * @returns {{postMessage: Function, subscribe: Function}}
 */
export function portTransport(port, kinds) {
  return {
    postMessage: (message) => port.postMessage(message),
    subscribe(handler) {
      port.addEventListener("message", (event) => {
        if (!kinds || kinds.includes(event.data?.kind)) handler(event.data);
      });
      port.start();
    },
  };
}
