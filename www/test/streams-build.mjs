// The Amazon Connect Streams build the package ships
// (node_modules/amazon-connect-streams/release/connect-streams-min.js, what
// scripts/package-sf.mjs puts in the amazonConnectStreams static resource), evaluated as
// it is in node, for tests that read what it defines: its enums and the AWS API model of
// the CTI service inside it (AWS.apiLoader("connect", "2017-02-15")).
import fs from "node:fs";
import vm from "node:vm";

const SHIPPED = new URL("../../node_modules/amazon-connect-streams/release/connect-streams-min.js", import.meta.url);

/**
 * Streams, evaluated unmodified; the browser it sees is only what it touches while loading.
 * @returns {{connect: object, AWS: object}} its two globals.
 */
export function loadStreams() {
  const noop = () => {};
  const element = () => ({ style: {}, dataset: {}, setAttribute: noop, appendChild: noop, addEventListener: noop });
  const storage = () => {
    const values = new Map();
    return { getItem: (k) => values.get(k) ?? null, setItem: (k, v) => values.set(k, String(v)), removeItem: (k) => values.delete(k) };
  };
  const window = {
    document: {
      createElement: element, getElementById: () => null, querySelector: () => null, querySelectorAll: () => [],
      addEventListener: noop, body: element(), head: element(), cookie: "", readyState: "complete",
    },
    navigator: { userAgent: "node", mediaDevices: {} },
    location: { href: "https://example.test/", origin: "https://example.test", protocol: "https:", hostname: "example.test" },
    localStorage: storage(), sessionStorage: storage(), addEventListener: noop, removeEventListener: noop,
    // Streams starts timers as it loads: they must not keep a test process alive.
    setTimeout: (...args) => setTimeout(...args).unref(), clearTimeout,
    setInterval: (...args) => setInterval(...args).unref(), clearInterval, performance, crypto: globalThis.crypto, URL, TextEncoder, TextDecoder,
    console: { log: noop, info: noop, warn: noop, error: noop, debug: noop },
  };
  Object.assign(window, { window, self: window, top: window, parent: window, globalThis: window });
  vm.runInContext(fs.readFileSync(SHIPPED, "utf8"), vm.createContext(window));
  return { connect: window.connect, AWS: window.AWS };
}

