// The rules file as a form: statuses and phone states ticked from the org's catalog
// and the telephony list, mappings and rules built from picklists, conditions and
// actions added row by row. The lists of triggers, operands, comparators and actions
// are read from the rules schema (schema/rules.schema.json), never copied here; every
// judgement is the engine's, through the `check` and `simulate` the host passes in.
// The form edits the file's JSON object, so fields it has no control for survive.

import { h, picklist, placeFindings } from "./fields.js";

/**
 * The lists the form offers, from the rules schema.
 * @param {object} schema the rules file's JSON Schema
 * @returns {{triggers: string[], operands: string[], comparators: string[], actions: string[],
 *   actionValue: (name: string) => unknown}} `actionValue`: what a new action of that kind
 *   holds before a target is chosen ("" for a named target, else per the schema's type).
 */
export function schemaLists(schema) {
  const defs = schema?.$defs ?? {};
  const kinds = (defs.ActionDef?.oneOf ?? []).flatMap((one) => (one.required ?? []).map((name) => [name, one.properties?.[name]?.type]));
  const blank = { string: "", boolean: true, object: {}, array: [] };
  return {
    triggers: defs.EventKind?.enum ?? [],
    operands: defs.Operand?.enum ?? [],
    comparators: defs.Comparator?.enum ?? [],
    actions: kinds.map(([name]) => name),
    actionValue: (name) => structuredClone(blank[new Map(kinds).get(name)] ?? ""),
  };
}

/**
 * Builds the form editor.
 * @param {HTMLElement} root
 * @param {object} options
 * @param {object} options.schema the rules schema
 * @param {Array<{DeveloperName: string, MasterLabel?: string}>} options.catalog the org's statuses
 * @param {string[]} options.telephonyStates the states the phone offers
 * @param {string[]} options.systemStates states the phone reports but no rule sets
 * @param {string} options.text the rules file to start from
 * @param {(text: string) => Array<{path?: string, code?: string, message?: string}>} options.check
 *   the engine's findings on a file (none: it is accepted)
 * @param {(text: string) => void} [options.onChange] the file's new text after each edit
 * @returns {{setText: (text: string) => void, text: () => string}}
 */
export function createFormEditor(root, { schema, catalog, telephonyStates, systemStates, text, check, onChange = () => {} }) {
  const lists = schemaLists(schema);
  const statusNames = catalog.map((s) => s.DeveloperName);
  const allStates = [...new Set([...telephonyStates, ...systemStates])];
  let file = {};
  const form = h("div", { class: "form-editor", testid: "form-editor" });
  const rest = h("ul", { class: "findings", testid: "form-findings" });
  const summary = h("p", { class: "stats", testid: "form-status", role: "status" });
  const empty = h("button", {
    testid: "form-new", text: "Start an empty file",
    onclick: () => edit((f) => {
      for (const key of Object.keys(f)) delete f[key];
      Object.assign(f, { version: 1, statuses: [], telephony: { system: "softphone", states: [] } });
    }),
  });
  root.append(h("div", { class: "row" }, empty, summary), rest, form);

  /** Applies an edit to the file, then re-renders and tells the host. */
  const edit = (change) => {
    change(file);
    render();
    onChange(currentText());
  };
  const currentText = () => JSON.stringify(file, null, 2);
  const list = (object, key) => (Array.isArray(object[key]) ? object[key] : (object[key] = []));
  const removeButton = (what, onclick) => h("button", { class: "remove", title: `remove ${what}`, "aria-label": `remove ${what}`, testid: "form-remove", text: "✕", onclick });

  function statusesSection() {
    const statuses = Array.isArray(file.statuses) ? file.statuses : [];
    const named = new Map(statuses.map((s) => [s.developerName, s]));
    const names = [...new Set([...statusNames, ...named.keys()])];
    return section("Statuses (from the org's catalog)", names.map((name) => {
      const entry = named.get(name);
      const index = statuses.indexOf(entry);
      const label = catalog.find((s) => s.DeveloperName === name)?.MasterLabel;
      return h("div", { class: "row" },
        h("label", {}, h("input", {
          type: "checkbox", checked: Boolean(entry), testid: `form-status-${name}`, path: index >= 0 ? `$.statuses[${index}]` : null,
          onchange: () => edit((f) => {
            const all = list(f, "statuses");
            if (entry) all.splice(all.indexOf(entry), 1);
            else all.push({ developerName: name, ...(label ? { label } : {}), online: true });
          }),
        }), name),
        entry ? h("label", {}, h("input", {
          type: "checkbox", checked: entry.online !== false, testid: `form-online-${name}`,
          onchange: () => edit(() => { entry.online = entry.online === false; }),
        }), "online") : null);
    }));
  }

  function telephonySection() {
    const telephony = file.telephony && typeof file.telephony === "object" ? file.telephony : null;
    const states = Array.isArray(telephony?.states) ? telephony.states : [];
    const names = [...new Set([...telephonyStates, ...states])];
    return section("Phone states (from the telephony list)", names.map((name) => h("label", { class: "chip" },
      h("input", {
        type: "checkbox", checked: states.includes(name), testid: `form-state-${name}`,
        path: states.includes(name) ? `$.telephony.states[${states.indexOf(name)}]` : "$.telephony.states",
        onchange: () => edit((f) => {
          f.telephony ??= { system: "softphone" };
          const all = list(f.telephony, "states");
          if (all.includes(name)) all.splice(all.indexOf(name), 1);
          else all.push(name);
        }),
      }), name)), { path: "$.telephony" });
  }

  function mappingsSection(direction) {
    const rows = Array.isArray(file.mappings?.[direction]) ? file.mappings[direction] : [];
    const toOmni = direction === "telephonyToOmni";
    const statePick = (row, i) => picklist(allStates, row.telephony, (v) => edit(() => { row.telephony = v; }),
      { path: `$.mappings.${direction}[${i}].telephony`, testid: "form-mapping-telephony", label: "phone state", blank: "(state)" });
    const statusPick = (row, i) => picklist([...statusNames, "Offline"], row.omni, (v) => edit(() => { row.omni = v; }),
      { path: `$.mappings.${direction}[${i}].omni`, testid: "form-mapping-omni", label: "Omni status", blank: "(status)" });
    return section(toOmni ? "Phone state sets Omni status" : "Omni status sets phone state", [
      rows.map((row, i) => h("div", { class: "row", testid: "form-mapping", "data-direction": direction },
        toOmni ? [statePick(row, i), " → ", statusPick(row, i)] : [statusPick(row, i), " → ", statePick(row, i)],
        removeButton("this row", () => edit(() => rows.splice(i, 1))))),
      h("button", {
        testid: `form-add-${direction}`, text: "Add row",
        onclick: () => edit((f) => {
          f.mappings ??= {};
          list(f.mappings, direction).push({ telephony: "", omni: "" });
        }),
      }),
    ], { path: `$.mappings.${direction}` });
  }

  function rulesSection() {
    const rules = Array.isArray(file.rules) ? file.rules : [];
    return section("Rules", [
      rules.map((rule, i) => ruleBlock(rule, i, rules)),
      h("button", {
        testid: "form-add-rule", text: "Add rule",
        onclick: () => edit((f) => list(f, "rules").push({ name: `Rule ${rules.length + 1}`, on: lists.triggers[0] ?? "", then: [] })),
      }),
    ], { path: "$.rules" });
  }

  function ruleBlock(rule, i, rules) {
    const at = `$.rules[${i}]`;
    const conditions = rule.if?.all ?? rule.if?.any ?? (rule.if ? [rule.if] : []);
    const joiner = rule.if?.any ? "any" : "all";
    const ensureGroup = () => {
      if (!rule.if) rule.if = { all: [] };
      else if (!rule.if.all && !rule.if.any) rule.if = { all: [rule.if] };
      return rule.if[joiner];
    };
    const then = Array.isArray(rule.then) ? rule.then : [];
    return h("fieldset", { class: "rule", testid: "form-rule" },
      h("legend", {}, h("input", {
        type: "text", value: rule.name ?? "", size: 40, path: `${at}.name`, testid: "form-rule-name", "aria-label": "rule name",
        onchange: (event) => edit(() => { rule.name = event.target.value; }),
      }), removeButton("this rule", () => edit(() => rules.splice(i, 1)))),
      h("div", { class: "row" }, "when ", picklist(lists.triggers, rule.on, (v) => edit(() => { rule.on = v; }),
        { path: `${at}.on`, testid: "form-rule-on", label: "trigger" }),
      h("label", {}, "for teams", h("input", {
        type: "text", value: (rule.scope?.teams ?? []).join(", "), path: `${at}.scope`, testid: "form-rule-teams",
        placeholder: "every agent", "aria-label": "teams (comma-separated)",
        onchange: (event) => edit(() => {
          const teams = event.target.value.split(",").map((t) => t.trim()).filter(Boolean);
          if (teams.length) rule.scope = { ...rule.scope, teams };
          else if (rule.scope) {
            delete rule.scope.teams;
            if (!Object.keys(rule.scope).length) delete rule.scope;
          }
        }),
      }))),
      conditions.map((c, j) => conditionRow(c, rule.if?.[joiner] ? `${at}.if.${joiner}[${j}]` : `${at}.if`, () => edit(() => {
        ensureGroup().splice(j, 1);
        if (!rule.if[joiner].length) delete rule.if;
      }))),
      h("button", {
        testid: "form-add-condition", text: `Add condition (${joiner})`,
        onclick: () => edit(() => ensureGroup().push({ left: lists.operands[0], op: lists.comparators[0], right: { value: "" } })),
      }),
      then.map((action, k) => actionRow(action, `${at}.then[${k}]`, () => edit(() => then.splice(k, 1)))),
      h("button", {
        testid: "form-add-action", text: "Add action",
        onclick: () => edit(() => { rule.then = [...then, { [lists.actions[0]]: lists.actionValue(lists.actions[0]) }]; }),
      }));
  }

  function conditionRow(c, at, remove) {
    if (!("left" in c)) return h("p", { class: "stats", path: at, text: "a nested group: edit it in the JSON" });
    const numeric = /Workload|Capacity/.test(c.left);
    const choices = c.left?.startsWith("telephony.") ? allStates : c.left?.endsWith("Status") ? [...statusNames, "Offline"] : null;
    const value = c.right?.value;
    let right;
    if (c.right && "operand" in c.right) right = h("code", { path: `${at}.right`, text: `operand ${c.right.operand}` });
    else if (choices) right = picklist(choices, value, (v) => edit(() => { c.right = { value: v }; }), { path: `${at}.right`, testid: "form-condition-value", label: "value", blank: "(value)" });
    else {
      right = h("input", {
        type: numeric ? "number" : "text", value: value ?? "", path: `${at}.right`, testid: "form-condition-value", "aria-label": "value",
        onchange: (event) => edit(() => { c.right = { value: numeric ? Number(event.target.value) : event.target.value }; }),
      });
    }
    return h("div", { class: "row condition", testid: "form-condition" }, "if ",
      picklist(lists.operands, c.left, (v) => edit(() => { c.left = v; }), { path: `${at}.left`, testid: "form-condition-left", label: "operand" }),
      picklist(lists.comparators, c.op, (v) => edit(() => { c.op = v; }), { path: `${at}.op`, testid: "form-condition-op", label: "comparator" }),
      right, removeButton("this condition", remove));
  }

  function actionRow(action, at, remove) {
    const kind = Object.keys(action)[0] ?? "";
    const targets = kind === "setOmniStatus" ? (file.statuses ?? []).map((s) => s.developerName) : kind === "setTelephonyState" ? allStates : null;
    return h("div", { class: "row action", testid: "form-action" }, "then ",
      picklist(lists.actions, kind, (v) => edit(() => {
        delete action[kind];
        action[v] = lists.actionValue(v);
      }), { path: `${at}`, testid: "form-action-kind", label: "action" }),
      targets ? picklist(targets, action[kind], (v) => edit(() => { action[kind] = v; }),
        { path: `${at}.${kind}`, testid: "form-action-target", label: "target", blank: "(choose)" }) : null,
      removeButton("this action", remove));
  }

  function section(title, children, { path } = {}) {
    return h("fieldset", { class: "form-section", path }, h("legend", { text: title }), children);
  }

  function render() {
    form.replaceChildren(statusesSection(), telephonySection(),
      mappingsSection("telephonyToOmni"), mappingsSection("omniToTelephony"), rulesSection());
    const findings = check(currentText());
    placeFindings(form, findings, rest);
    summary.textContent = findings.length ? `${findings.length} finding(s)` : "the engine accepts these rules";
    summary.dataset.findings = String(findings.length);
  }

  /** Takes a new text (typed in the JSON editor): the form follows when it parses. */
  function setText(next) {
    let parsed;
    try {
      parsed = JSON.parse(next);
    } catch (err) {
      placeFindings(form, [{ path: "$", code: "json", message: `the JSON does not parse (${err.message}): the form shows the last text that did` }], rest);
      return;
    }
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) return;
    file = parsed;
    render();
  }

  setText(text);
  return { setText, text: currentText };
}
