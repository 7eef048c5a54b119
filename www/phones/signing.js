// The telephony protocol's pairing and signatures (docs/message-channel.md, "Pairing
// and signatures"), for both of its ends: the host's channel adapter (channel.js) and
// the softphone's relay (www/salesforce/relay.js). ECDH (P-256) between the two, an
// HMAC-SHA-256 key derived from it, every later message signed with it: a component
// that reads the channel learns the public keys, never the shared key.

const toBase64 = (buffer) => btoa(String.fromCharCode(...new Uint8Array(buffer)));
const fromBase64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
const bytes = (text) => new TextEncoder().encode(text);

/**
 * The text both sides sign, whatever a transport did to key order: JSON, keys sorted,
 * `mac` and undefined values left out.
 * @param {unknown} value
 * @returns {string}
 */
export function canonical(value) {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    return `{${Object.keys(value).sort().filter((k) => k !== "mac" && value[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}

/**
 * One page load's signing side; its ECDH key pair is made at once.
 * @param {Crypto} crypto the page's.
 * @returns {object} `randomId()` (hex), `publicKey` (a promise, base64), `sharedKey(peer)`
 *   (the HMAC key), `sign(key, message)` (the message with its `mac`), `verify(key,
 *   message)` (rejects a `mac` that is not base64), `hash(text)` (SHA-256, base64).
 */
export function signer(crypto) {
  const { subtle } = crypto;
  const keys = subtle.generateKey({ name: "ECDH", namedCurve: "P-256" }, false, ["deriveKey"]);
  return {
    randomId: () => Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join(""),
    publicKey: keys.then((pair) => subtle.exportKey("raw", pair.publicKey)).then(toBase64),
    async sharedKey(peerKey) {
      const { privateKey } = await keys;
      const peer = await subtle.importKey("raw", fromBase64(peerKey), { name: "ECDH", namedCurve: "P-256" }, false, []);
      return subtle.deriveKey({ name: "ECDH", public: peer }, privateKey, { name: "HMAC", hash: "SHA-256", length: 256 }, false, ["sign", "verify"]);
    },
    sign: async (key, message) => ({ ...message, mac: toBase64(await subtle.sign("HMAC", key, bytes(canonical(message)))) }),
    verify: async (key, message) => subtle.verify("HMAC", key, fromBase64(message.mac), bytes(canonical(message))),
    hash: async (text) => toBase64(await subtle.digest("SHA-256", bytes(text))),
  };
}
