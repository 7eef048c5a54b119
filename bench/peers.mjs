// The two engines a team would otherwise use, wrapped so that they make omnisync's
// decisions. json-rules-engine and json-logic-js only evaluate conditions over facts, so
// the wrapper does what omnisync does around its conditions: it tracks both sides' state
// from the events, computes the operands (docs/rules.md, "The value each operand takes"),
// runs the rules of the event's trigger, lets the last matching rule per side win
// (allMatches) and drops an action whose target is already that side's state. Each
// engine gets its best case: rules pre-grouped by trigger, one engine per trigger.

import { Engine } from "json-rules-engine";
import jsonLogic from "json-logic-js";
import { expandRules, jsonLogicRules, jsonRulesEngineRules } from "./rules.mjs";

const OFFLINE = "Offline";
// Two Ids are one status when their first 15 characters agree (salesforce_id.rs).
const id15 = (id) => (id.length >= 15 ? id.slice(0, 15) : null);

/** What omnisync's model knows, reduced to what conditions and suppression read. */
export class PresenceModel {
  constructor(file) {
    this.statusById = new Map(file.statuses.map((s) => [id15(s.id), s.developerName]));
    this.prefixes = file.channels.flatMap((c) => c.workItemPrefixes.map((p) => [p, c.developerName]));
    this.loggedIn = false;
    this.statusId = null;
    this.statusName = null;
    this.omniSeen = false; // "no value" until the first Omni event
    this.phone = null;
    this.phonePrevious = null;
    this.capacity = 0;
    this.previousWorkload = 0;
    this.workload = 0;
  }

  /** The Omni status as rules see it: its name, Offline once logged out, else nothing. */
  omniName() {
    if (this.loggedIn) return this.statusName;
    return this.omniSeen ? OFFLINE : null;
  }

  /** Applies the event and returns the facts the conditions read (Engine::observe). */
  observe(e) {
    const oldOmni = this.omniName();
    const oldPhone = this.phone;
    let channel = null;
    let omniNew;
    switch (e.type) {
      case "omni.loginSuccess":
        this.loggedIn = true; this.omniSeen = true;
        this.statusId = e.statusId; this.statusName = this.statusById.get(id15(e.statusId)) ?? null;
        break;
      case "omni.statusChanged":
        this.loggedIn = true; this.omniSeen = true;
        this.statusId = e.statusId; this.statusName = e.statusApiName;
        omniNew = e.statusApiName;
        break;
      case "omni.logout":
        this.loggedIn = false; this.omniSeen = true; this.statusId = null; this.statusName = null;
        this.previousWorkload = this.workload; this.workload = 0;
        omniNew = OFFLINE;
        break;
      case "omni.workloadChanged":
        this.capacity = Number(e.configuredCapacity);
        this.previousWorkload = Number(e.previousWorkload);
        this.workload = Number(e.newWorkload);
        break;
      case "telephony.stateChanged":
        this.phonePrevious = e.oldState ?? this.phone;
        this.phone = e.newState;
        break;
      default: // the four work events
        channel = e.serviceChannel ?? this.prefixes.find(([p]) => e.workItemId.startsWith(p))?.[1] ?? null;
    }
    const pct = (w) => (this.capacity > 0 ? w / this.capacity * 100 : w > 0 ? 100 : 0);
    return {
      telephonyNewState: this.phone,
      telephonyOldState: e.type === "telephony.stateChanged" ? this.phonePrevious : oldPhone,
      omniNewStatus: omniNew ?? this.omniName(),
      omniOldStatus: oldOmni,
      omniChannel: channel,
      previousWorkload: this.previousWorkload,
      newWorkload: this.workload,
      configuredCapacity: this.capacity,
      previousWorkloadPct: pct(this.previousWorkload),
      newWorkloadPct: pct(this.workload),
    };
  }

  /** Whether the side already shows the action's target (outcome alreadyInState). */
  alreadyIn(target) {
    if (target.side === "omni") return this.loggedIn && this.statusId !== null && id15(this.statusId) === id15(target.statusId);
    return this.phone === target.state;
  }

  /**
   * The actions of the matched rules (in file order): the last target per side wins,
   * Omni before telephony, none for a side already in its target.
   */
  resolve(matched) {
    let omni = null;
    let telephony = null;
    for (const rule of matched) {
      for (const t of rule.targets) {
        if (t.side === "omni") omni = [t, rule.name];
        else telephony = [t, rule.name];
      }
    }
    const actions = [];
    for (const slot of [omni, telephony]) {
      if (!slot || this.alreadyIn(slot[0])) continue;
      const [t, rule] = slot;
      actions.push(t.side === "omni"
        ? { type: t.type, statusId: t.statusId, developerName: t.developerName, rule }
        : { type: t.type, state: t.state, rule });
    }
    return actions;
  }
}

const byTrigger = (rules) => {
  const map = new Map();
  for (const r of rules) map.set(r.on, [...(map.get(r.on) ?? []), r]);
  return map;
};

/** json-rules-engine behind the model. `handle(event)` resolves to the actions. */
export function jsonRulesEnginePeer(file) {
  const targets = expandRules(file).map((r) => r.targets);
  const engines = new Map();
  for (const [on, rules] of byTrigger(jsonRulesEngineRules(file))) {
    const engine = new Engine([], { allowUndefinedFacts: false });
    for (const { name, conditions, event } of rules) engine.addRule({ name, conditions, event });
    engines.set(on, engine);
  }
  const model = new PresenceModel(file);
  return {
    async handle(event) {
      const facts = model.observe(event);
      const engine = engines.get(event.type);
      if (!engine) return [];
      const { results } = await engine.run(facts);
      // Rules of one priority finish in any order: put the matches back in file order.
      const matched = results.map((r) => ({ index: r.event.params.index, name: r.name }))
        .sort((a, b) => a.index - b.index)
        .map((r) => ({ name: r.name, targets: targets[r.index] }));
      return model.resolve(matched);
    },
  };
}

/** Plain JavaScript with json-logic-js conditions behind the model. */
export function jsonLogicPeer(file) {
  const targets = expandRules(file).map((r) => r.targets);
  const rules = byTrigger(jsonLogicRules(file).map((r) => ({ ...r, targets: targets[r.index] })));
  const model = new PresenceModel(file);
  return {
    handle(event) {
      const facts = model.observe(event);
      const matched = [];
      for (const rule of rules.get(event.type) ?? []) {
        if (jsonLogic.truthy(jsonLogic.apply(rule.logic, facts))) matched.push(rule);
      }
      return model.resolve(matched);
    },
  };
}
