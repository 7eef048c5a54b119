// The one phone choice (docs/telephony.md, "The phone choice"), used by the host page
// (www/salesforce/host.js, through the shim) and the softphone's relay
// (www/salesforce/relay.js): the first phone found in this fixed order wins.
//   1. Amazon Connect Streams (connect.js), the page's `connect` global;
//   2. NICE CXone's agent SDK (cxone.js), the page's `CXoneAcdClient` class;
//   3. the generic softphone hook (hook.js), `window.omnisyncSoftphone`.
// The products' own SDKs come first: a page running one of them is that phone; the
// hook is the way for any other softphone.
// A page with none of them has its phone elsewhere: the host then talks to the
// softphone's relay over the message channel (channel.js).

import { connectPhone, detectConnect } from "./connect.js";
import { cxonePhone, detectCxone } from "./cxone.js";
import { detectHook, hookLacks, hookPhone } from "./hook.js";

/** In the order they are looked for: name, detector, adapter factory, aliases of `client`. */
export const PHONES = [
  { name: "connect", detect: detectConnect, adapter: connectPhone, aliases: [] },
  { name: "cxone", detect: detectCxone, adapter: cxonePhone, aliases: [] },
  { name: "hook", detect: detectHook, adapter: hookPhone, aliases: ["softphone"] },
];

/**
 * The adapter (not started) of the first phone found in `scope`, or null.
 * @param {object} scope a window-like object.
 * @param {{client?: string, warn?: Function}} [options] `client`: only that phone
 *   ("connect", "cxone", "hook" or its older name "softphone"); `warn(text)`: a hook lacks
 *   methods. All options go to the adapter.
 * @returns {object|null}
 */
export function choosePhone(scope, options = {}) {
  const { client } = options;
  for (const phone of PHONES) {
    if (client && client !== phone.name && !phone.aliases.includes(client)) continue;
    const found = phone.detect(scope);
    if (found) return phone.adapter(found, options);
  }
  const lacks = hookLacks(scope?.omnisyncSoftphone);
  if (lacks) options.warn?.(`omnisync: window.omnisyncSoftphone needs onStateChange, getState and setState (it lacks ${lacks.join(", ")}); ignored`);
  return null;
}
