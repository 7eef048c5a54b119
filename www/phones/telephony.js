// The shim's one telephony bridge over any phone adapter (docs/telephony.md); the
// relay (www/salesforce/relay.js) is the other wrapper over the same adapters.

import { channelPhone } from "./channel.js";

/**
 * A telephony bridge (docs/runtime.md) over a phone adapter, started at once.
 * @param {object} phone a phone adapter.
 * @returns {object} `{subscribe, getState, setState, phone}`.
 */
export function phoneTelephony(phone) {
  const listeners = [];
  phone.onChange((oldState, newState) => {
    const event = { type: "telephony.stateChanged", oldState, newState, at: Date.now() };
    listeners.forEach((callback) => callback(event));
  });
  phone.start();
  return {
    subscribe: (callback) => listeners.push(callback),
    getState: () => phone.read(),
    setState: (name) => phone.set(name),
    phone,
  };
}

/**
 * The telephony bridge over the channel adapter (channel.js), with its `status()`,
 * `attach(runtime)`, `dropped()` and `close()`.
 * @param {{postMessage: Function, subscribe: Function}} port
 * @param {object} [options] as channelPhone takes them.
 * @returns {object}
 */
export function messageChannelTelephony(port, options = {}) {
  const phone = channelPhone(port, options);
  const { status, attach, dropped, close } = phone;
  return { ...phoneTelephony(phone), status, attach, dropped, close };
}
