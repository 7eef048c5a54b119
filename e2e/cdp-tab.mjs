// A browser tab driven by the Chrome DevTools Protocol alone, for tests that freeze a
// page (Page.setWebLifecycleState). A page Playwright has attached to does not freeze
// (it keeps it visible), so this tab is created through a browser-level CDP session of
// a non-persistent browser, to which Playwright does not attach, and is driven from
// that session: script evaluation in any of its frames (found by URL), console errors
// and uncaught exceptions collected.

import { chromium } from "playwright-core";
import { CHROMIUM, FLAGS } from "./harness.mjs";

/**
 * Opens `url` in a tab of a fresh Chromium.
 * @param {string} url
 * @returns {Promise<{evaluate: (frame: string, fn: Function, arg?: any) => Promise<any>,
 *   lifecycle: (state: "frozen" | "active") => Promise<void>, errors: string[], close: () => Promise<void>}>}
 *   `evaluate` runs `fn(arg)` in the frame whose URL contains `frame` ("" for the top page).
 */
export async function cdpTab(url) {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
  const session = await browser.newBrowserCDPSession();
  const { targetId } = await session.send("Target.createTarget", { url: "about:blank" });
  const { sessionId } = await session.send("Target.attachToTarget", { targetId, flatten: false });
  let next = 0;
  const waiting = new Map();
  const contexts = new Map(); // frameId -> default execution context id
  const errors = [];
  session.on("Target.receivedMessageFromTarget", (event) => {
    if (event.sessionId !== sessionId) return;
    const message = JSON.parse(event.message);
    if (message.id !== undefined && waiting.has(message.id)) {
      waiting.get(message.id)(message);
      waiting.delete(message.id);
      return;
    }
    const { method, params } = message;
    if (method === "Runtime.executionContextCreated" && params.context.auxData?.isDefault) {
      contexts.set(params.context.auxData.frameId, params.context.id);
    } else if (method === "Runtime.consoleAPICalled" && params.type === "error") {
      errors.push(`console: ${params.args.map((a) => a.value ?? a.description).join(" ")}`);
    } else if (method === "Runtime.exceptionThrown") {
      errors.push(`uncaught: ${params.exceptionDetails.exception?.description ?? params.exceptionDetails.text}`);
    }
  });
  const send = (method, params = {}) => new Promise((resolve, reject) => {
    const id = ++next;
    waiting.set(id, (message) => (message.error ? reject(new Error(`${method}: ${message.error.message}`)) : resolve(message.result)));
    session.send("Target.sendMessageToTarget", { sessionId, message: JSON.stringify({ id, method, params }) }).catch(reject);
  });
  await send("Page.enable");
  await send("Runtime.enable");
  await send("Page.navigate", { url });

  async function frameId(part) {
    const { frameTree } = await send("Page.getFrameTree");
    const all = [];
    const walk = (node) => { all.push(node.frame); (node.childFrames ?? []).forEach(walk); };
    walk(frameTree);
    return all.find((f) => (part ? f.url.includes(part) : f === frameTree.frame))?.id;
  }

  return {
    errors,
    async evaluate(frame, fn, arg) {
      const id = await frameId(frame);
      const contextId = id && contexts.get(id);
      if (!contextId) throw new Error(`no frame ${frame || "(top)"} yet`);
      const { result, exceptionDetails } = await send("Runtime.evaluate", {
        expression: `(${fn})(${JSON.stringify(arg ?? null)})`, contextId, returnByValue: true, awaitPromise: true,
      });
      if (exceptionDetails) throw new Error(exceptionDetails.exception?.description ?? exceptionDetails.text);
      return result.value;
    },
    lifecycle: (state) => send("Page.setWebLifecycleState", { state }),
    close: () => browser.close(),
  };
}
