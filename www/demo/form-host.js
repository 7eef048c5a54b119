// The demo's host for the form editor (www/editor/): the rules schema, the org's
// catalog and the phone's states as the lists, and the engine (the wasm module the
// shim loaded) as the judge: `check` builds an engine from the text and returns its
// refusal's findings or its warnings; `simulate` runs a morning through a fresh engine.
// The form and the JSON editor stay in step both ways.

import { createFormEditor } from "../editor/form-editor.js";
import { createMorningPanel, morningOf } from "../editor/morning.js";

/**
 * Builds the form editor and its simulate-and-export panel.
 * @param {{form: HTMLElement, morning: HTMLElement}} roots
 * @param {{catalog: Array<{Id: string, DeveloperName: string, MasterLabel?: string}>,
 *   context: object, telephonyStates: string[], systemStates: string[], editor: {text: () => string,
 *   setText: (text: string) => void, onInput: (cb: (text: string) => void) => void}}} options
 * @returns {Promise<void>}
 */
export async function createFormHost(roots, { catalog, context, telephonyStates, systemStates, editor }) {
  const [{ OmniSync }, schema] = await Promise.all([
    import(new URL("../pkg/omnisync.js", import.meta.url).href),
    (await fetch("/schema/rules.schema.json")).json(),
  ]);
  // The agent's context too: a morning with a team-scoped rule acts as the page's engine would.
  const engine = (text) => new OmniSync(text, { catalog, context });
  const findings = (err) => (Array.isArray(err?.details) && err.details.length ? err.details
    : [{ path: "$", code: err?.code ?? "error", message: err?.message ?? String(err) }]);

  function check(text) {
    let built;
    try {
      built = engine(text);
      return built.warnings().map((w) => ({ ...w, severity: "warning" }));
    } catch (err) {
      return findings(err);
    } finally {
      built?.free();
    }
  }

  function simulate(text, events) {
    let built;
    try {
      built = engine(text);
    } catch (err) {
      return [{ at: Date.now(), event: { type: "rules" }, error: `the engine refuses these rules: ${findings(err).map((f) => `${f.path} ${f.message}`).join("; ")}` }];
    }
    try {
      return events.map((event) => {
        try {
          const decision = built.handle(event);
          const trace = typeof decision.trace === "function" ? decision.trace() : decision.trace;
          return { at: event.at, event, actions: decision.actions, rules: trace?.rules ?? [] };
        } catch (err) {
          return { at: event.at ?? Date.now(), event, error: err.message };
        }
      });
    } finally {
      built.free();
    }
  }

  const form = createFormEditor(roots.form, {
    schema, catalog, telephonyStates, systemStates, text: editor.text(), check,
    onChange: (text) => editor.setText(text),
  });
  editor.onInput((text) => form.setText(text));
  createMorningPanel(roots.morning, {
    text: () => form.text(),
    morning: (text) => morningOf(JSON.parse(text), catalog),
    simulate,
  });
}
