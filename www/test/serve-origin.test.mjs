// Case 9 of the second hostile round: the demo server's state-changing requests need a
// JSON body and, from a browser, the server's own Origin; a page elsewhere gets 403 and
// changes nothing (before: a no-cors text/plain POST from any site logged the agent out).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";

async function serve() {
  const child = spawn(process.execPath, ["scripts/serve.mjs", "--port", "0"], {
    cwd: new URL("../..", import.meta.url), stdio: ["ignore", "pipe", "pipe"],
  });
  const origins = await new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const main = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+)\//);
      const softphone = out.match(/served from (http:\/\/127\.0\.0\.1:\d+)\//);
      if (main && softphone) resolve({ main: main[1], softphone: softphone[1] });
    });
    child.on("exit", (code) => reject(new Error(`serve.mjs exited (${code})`)));
  });
  return { ...origins, close: () => child.kill() };
}

const post = (base, path, { type = "application/json", origin, body = "{}" } = {}) =>
  fetch(`${base}${path}`, { method: "POST", body,
    headers: { "Content-Type": type, ...(origin === undefined ? {} : { Origin: origin }) } });

test("cross-origin and non-JSON writes to the demo server are refused with 403", async () => {
  const server = await serve();
  try {
    const loggedIn = async () => (await (await fetch(`${server.main}/api/state`)).json()).omni.loggedIn;
    assert.equal(await loggedIn(), true);
    const port = new URL(server.main).port;
    for (const [why, options] of [
      ["another site", { origin: "https://evil.example" }],
      ["a no-cors form post", { type: "text/plain", origin: "https://evil.example" }],
      ["text/plain without Origin", { type: "text/plain" }],
      ["an opaque origin", { origin: "null" }],
      ["the softphone's origin on the console's port", { origin: server.softphone }],
      ["a DNS-rebound name", { origin: `http://attacker.example:${port}` }],
      ["form encoding", { type: "application/x-www-form-urlencoded", origin: server.main }],
    ]) {
      const response = await post(server.main, "/api/omni/logout", options);
      assert.equal(response.status, 403, why);
      assert.match((await response.json()).error, /application\/json|may not change/, why);
    }
    assert.equal(await loggedIn(), true, "nothing changed");
    assert.equal((await post(server.main, "/api/faults", { origin: "https://evil.example", body: '{"rejectRate":1}' })).status, 403);
    assert.equal((await (await fetch(`${server.main}/api/state`)).json()).faults.rejectRate, 0);
    // The page's own origin (either name of the loopback), and tools that send no Origin.
    assert.equal((await post(server.main, "/api/omni/logout", { origin: server.main })).status, 200);
    assert.equal(await loggedIn(), false);
    assert.equal((await post(server.main, "/api/reset", { origin: `http://localhost:${port}`, type: "application/json; charset=utf-8" })).status, 200);
    assert.equal((await post(server.main, "/api/faults", { body: '{"rejectRate":0}' })).status, 200);
    // The softphone frame writes to its own origin's server.
    assert.equal((await post(server.softphone, "/api/phone/state", { origin: server.softphone, body: '{"state":"Lunch"}' })).status, 200);
  } finally {
    server.close();
  }
});
