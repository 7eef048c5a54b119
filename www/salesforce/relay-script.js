// The entry of the relay's classic script (dist/relay.js, shipped as relay.js in the
// omnisync static resource; `npm run build:relay` bundles it with the modules it
// imports). Started by loading the script: configuration in data-* attributes of its
// <script> element (data-channel, default OmniSync__c; data-heartbeat-ms;
// data-command-timeout-ms; data-enqueue-next-state; data-client (connect, cxone, hook); data-manual to start
// it yourself with OmniSyncRelay.start(options)), or in a window.omnisyncRelayOptions
// object set by an earlier script, which wins.

import { VERSION, startRelay } from "./relay.js";

/**
 * The relay's options from its <script> element's data-* attributes.
 * @param {HTMLScriptElement|null} element
 * @returns {object}
 */
function fromScriptElement(element) {
  const data = element ? element.dataset : {};
  const number = (v) => (v && Number(v) > 0 ? Math.min(Number(v), 600000) : undefined);
  return {
    channel: data.channel || undefined,
    heartbeatMs: number(data.heartbeatMs),
    commandTimeoutMs: number(data.commandTimeoutMs),
    enqueueNextState: data.enqueueNextState === undefined ? undefined : data.enqueueNextState !== "false",
    client: data.client || undefined,
    manual: data.manual !== undefined,
  };
}

/**
 * Defines OmniSyncRelay on the page and starts the relay unless told not to.
 * @param {object} global the page's window.
 */
function boot(global) {
  global.OmniSyncRelay = { start: (options) => startRelay(options, global), version: VERSION };
  // Read now: document.currentScript is this script only while it runs.
  const config = fromScriptElement(global.document && global.document.currentScript);
  Object.assign(config, global.omnisyncRelayOptions || {});
  if (config.manual || !global.document) return;
  const run = () => {
    try {
      global.omnisyncRelay = startRelay(config, global);
    } catch (error) {
      global.console.warn(error && error.message ? error.message : error);
    }
  };
  if (global.document.readyState === "loading") global.document.addEventListener("DOMContentLoaded", run);
  else run();
}

boot(typeof window !== "undefined" ? window : globalThis);
