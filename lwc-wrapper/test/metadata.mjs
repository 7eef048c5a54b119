// What an org would refuse at deploy time, or what fails there later, checked on the
// files of the Salesforce package without an org. Each rule names the documentation
// page it comes from. Used by metadata.test.mjs.
//
//   node lwc-wrapper/test/metadata.mjs [WRAPPER_DIR]   prints the problems, exit 1 if any
//
// WRAPPER_DIR holds sfdx-project.json, whose packageDirectories are the folders: the
// core, which deploys alone, and optional folders, each deploying on top of it.

import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The folder that deploys alone; every other folder may depend on it and on itself only. */
export const CORE = "core";
/**
 * Folders not meant for production deploys: their triggers cannot be covered by tests
 * (LogoutEventStream is read only), so they deploy to sandboxes and Developer Edition.
 */
export const SANDBOX_ONLY = new Set(["event-monitoring"]);
/** The permission set each folder grants its pages, classes and objects with. */
export const GRANTS = { core: "OmniSync_Agent", softphone: "OmniSync_Softphone" };

// Visualforce Developer Guide, "Global Variables" (the appendix's list), plus
// $RemoteAction ("JavaScript Remoting for Apex Controllers") and $ObjectType (Salesforce
// Help, "Global Variables"). $CustomMetadata is documented for formulas, default
// values, validation rules and Flow only: a page using it does not compile, and one
// page that does not compile fails the whole deploy.
export const VF_GLOBALS = new Set(["$Action", "$Api", "$Asset", "$Cache", "$Component", "$ComponentLabel",
  "$CurrentPage", "$FieldSet", "$Label", "$MessageChannel", "$Network", "$ObjectType", "$Organization", "$Page",
  "$Permission", "$Profile", "$RemoteAction", "$Resource", "$SControl", "$Setup", "$Site", "$System", "$User",
  "$UserRole"]);

// Objects whose records no Apex test can create or publish: the Real-Time Event
// Monitoring streams are read only (Platform Events Developer Guide, LogoutEventStream:
// "Supported Calls: describeSObjects()"), so a trigger on one has no coverage, and a
// production deploy needs coverage for every trigger (Apex Developer Guide, "Deploying
// Apex": "Every trigger must have some test coverage").
const UNFIREABLE = /EventStream$/;

const tag = (xml, name) => [...xml.matchAll(new RegExp(`<${name}>([^<]*)</${name}>`, "g"))].map((m) => m[1].trim());
const first = (xml, name) => tag(xml, name)[0];

/** Every file under `dir`, as paths relative to it, sorted. */
function files(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath ?? entry.path, entry.name)))
    .sort();
}

/** A class is a test class when @IsTest precedes its declaration. */
function isTestClass(source) {
  const declaration = source.search(/\b(class|interface)\s+\w+/i);
  return /@IsTest\b/i.test(source.slice(0, declaration === -1 ? source.length : declaration));
}

/** Apex source without comments and string literals, for looking up names. */
function code(source) {
  return source.replace(/\/\*[\s\S]*?\*\//g, " ").replace(/\/\/[^\n]*/g, " ").replace(/'(?:\\.|[^'\\])*'/g, "''");
}

/** Markup without comments: a name in a comment is no reference. */
const uncommented = (text) => text.replace(/<!--[\s\S]*?-->/g, " ");

/** The components of one folder, by kind, with their files. */
function inventory(root, folder) {
  const dir = path.join(root, folder);
  const all = files(dir);
  const read = (file) => fs.readFileSync(path.join(dir, file), "utf8");
  const kindOf = (file) => file.split(path.sep).at(-2);
  const named = (suffix, kind) => all.filter((f) => f.endsWith(suffix) && (!kind || kindOf(f) === kind))
    .map((f) => ({ name: path.basename(f, suffix), file: f, text: read(f) }));
  const bundles = (kind) => [...new Set(all.filter((f) => f.split(path.sep).at(-3) === kind).map((f) => f.split(path.sep).at(-2)))]
    .map((name) => ({ name, files: all.filter((f) => f.split(path.sep).at(-2) === name && f.split(path.sep).at(-3) === kind) }));
  const objects = named(".object-meta.xml").map((o) => o.name);
  return {
    folder, dir, all, read,
    classes: named(".cls", "classes").map((c) => ({ ...c, test: isTestClass(c.text) })),
    triggers: named(".trigger", "triggers"),
    pages: named(".page", "pages"),
    channels: named(".messageChannel-meta.xml", "messageChannels"),
    resources: named(".resource-meta.xml", "staticresources"),
    permissionSets: named(".permissionset-meta.xml", "permissionsets"),
    callCenters: named(".callCenter-meta.xml", "callCenters"),
    customMetadata: named(".md-meta.xml", "customMetadata"),
    aura: bundles("aura").map((b) => ({ ...b, text: b.files.map(read).join("\n") })),
    lwc: bundles("lwc").map((b) => ({ ...b, text: b.files.filter((f) => !f.includes("__tests__")).map(read).join("\n") })),
    objects,
  };
}

/**
 * Reads every folder of the package under `wrapper` and returns what an org would
 * refuse, one sentence per problem (empty when none).
 * @param {string} wrapper the directory of sfdx-project.json.
 * @returns {string[]} the problems.
 */
export function checkProject(wrapper) {
  const problems = [];
  const project = JSON.parse(fs.readFileSync(path.join(wrapper, "sfdx-project.json"), "utf8"));
  const folders = (project.packageDirectories ?? []).map((d) => d.path);
  if (!folders.includes(CORE)) problems.push(`sfdx-project.json lists no ${CORE} folder`);
  const inv = Object.fromEntries(folders.map((f) => [f, inventory(wrapper, f)]));
  const allowed = (folder) => (folder === CORE ? [CORE] : [folder, CORE]);
  // Where each component is defined, by kind and name.
  const where = (kind, name) => folders.filter((f) => {
    const i = inv[f];
    const lists = {
      class: i.classes.map((c) => c.name), page: i.pages.map((p) => p.name), resource: i.resources.map((r) => r.name),
      channel: i.channels.map((c) => `${c.name}__c`), object: i.objects, aura: i.aura.map((b) => b.name),
      lwc: i.lwc.map((b) => b.name),
    };
    return lists[kind].some((n) => n.toLowerCase() === name.toLowerCase());
  });
  const resolve = (folder, what, kind, name) => {
    const found = where(kind, name);
    if (!found.length) problems.push(`${folder}: ${what} refers to ${kind} ${name}, which no folder has`);
    else if (!found.some((f) => allowed(folder).includes(f))) {
      problems.push(`${folder}: ${what} refers to ${kind} ${name} of ${found.join(", ")}, which ${folder} may not depend on (it deploys ${folder === CORE ? "alone" : `on top of ${CORE} only`})`);
    }
  };

  for (const folder of folders) {
    const i = inv[folder];

    // Pages: no inline script (the host's CSP), only documented global variables, and
    // every message channel a page uses exposed: Visualforce (and so Open CTI pages)
    // supports only channels whose isExposed is true (Visualforce Developer Guide,
    // Lightning message service, "Considerations and Limitations").
    for (const page of i.pages) {
      const text = uncommented(page.text);
      const what = `page ${page.name}`;
      if (!i.all.includes(`${page.file}-meta.xml`)) problems.push(`${what} has no ${page.file}-meta.xml`);
      if (/<script\b(?![^>]*\bsrc=)[^>]*>/i.test(text)) problems.push(`${what} has an inline script`);
      for (const [, variable] of text.matchAll(/(\$[A-Za-z]+)\b/g)) {
        if (!VF_GLOBALS.has(variable)) problems.push(`${what} uses ${variable}, which is not among Visualforce's global variables`);
      }
      for (const [, name] of text.matchAll(/\b(?:controller|extensions)="([\w,\s]+)"/g)) {
        name.split(",").map((n) => n.trim()).filter(Boolean).forEach((n) => resolve(folder, what, "class", n));
      }
      for (const [, name] of text.matchAll(/\$Resource\.(\w+)/g)) resolve(folder, what, "resource", name);
      for (const [, name] of text.matchAll(/\$RemoteAction\.(\w+)\./g)) resolve(folder, what, "class", name);
      const channels = [...text.matchAll(/\$MessageChannel\.(\w+)/g), ...text.matchAll(/\bdata-channel="(\w+)"/g)].map((m) => m[1]);
      for (const name of channels) {
        resolve(folder, what, "channel", name);
        for (const f of where("channel", name)) {
          const channel = inv[f].channels.find((c) => `${c.name}__c`.toLowerCase() === name.toLowerCase());
          if (first(channel.text, "isExposed") !== "true") {
            problems.push(`${what} uses message channel ${name}, which is not exposed: Visualforce supports only channels with isExposed true`);
          }
        }
      }
    }

    // Optional parts stay out of the core, which must deploy in any org: Open CTI is
    // unavailable to newly created Agentforce Service orgs and retires 2028-02-28
    // (Salesforce Help, "Salesforce Open CTI"), where a call center can fail the
    // deploy; a message channel in Visualforce must be exposed, which keeps a managed
    // package out of AppExchange Security Review (Metadata API Developer Guide,
    // LightningMessageChannel); LogoutEventStream needs Real-Time Event Monitoring.
    if (folder === CORE) {
      const optional = [
        ...i.callCenters.map((c) => `call center ${c.name}`),
        ...i.channels.map((c) => `message channel ${c.name}`),
        ...i.customMetadata.map((c) => `custom metadata record ${c.name}`),
        ...i.triggers.filter((t) => UNFIREABLE.test(triggerObject(t.text))).map((t) => `trigger ${t.name} on ${triggerObject(t.text)}`),
        ...i.pages.filter((p) => /opencti/i.test(p.text)).map((p) => `Open CTI page ${p.name}`),
      ];
      for (const what of optional) problems.push(`${CORE} holds the optional ${what}: it belongs in an optional folder`);
    }

    // Triggers: delegate to a class (which is then tested), and none on an object no
    // test can fire in a folder meant for production.
    for (const trigger of i.triggers) {
      const object = triggerObject(trigger.text);
      const body = code(trigger.text);
      const called = i.classes.filter((c) => !c.test && new RegExp(`\\b${c.name}\\.`).test(body));
      if (!called.length) problems.push(`trigger ${trigger.name} does not delegate to a class of its folder, so no test can run its logic`);
      if (UNFIREABLE.test(object) && !SANDBOX_ONLY.has(folder)) {
        problems.push(`trigger ${trigger.name} on ${object} is in ${folder}, a folder for production: no test can fire it, and a production deploy needs coverage for every trigger`);
      }
      if (/__(c|e|mdt)$/.test(object)) resolve(folder, `trigger ${trigger.name}`, "object", object);
    }

    // Apex: every class has a test class in its folder that refers to it; classes and
    // objects of the package are referred to only where the folder may depend on them.
    const names = Object.fromEntries(i.classes.map((c) => [c.name, c]));
    for (const c of i.classes) {
      if (c.test) continue;
      const test = names[`${c.name}Test`];
      if (!test || !test.test) problems.push(`Apex class ${c.name} has no test class ${c.name}Test in ${folder}`);
      else if (!new RegExp(`\\b${c.name}\\b`).test(code(test.text))) problems.push(`Apex test class ${c.name}Test never refers to ${c.name}`);
    }
    for (const source of [...i.classes, ...i.triggers]) {
      const body = code(source.text);
      const what = `Apex ${source.name}`;
      for (const other of folders.filter((f) => !allowed(folder).includes(f))) {
        for (const c of inv[other].classes) if (new RegExp(`\\b${c.name}\\b`).test(body)) resolve(folder, what, "class", c.name);
        for (const o of inv[other].objects) if (new RegExp(`\\b${o}\\b`).test(body)) resolve(folder, what, "object", o);
      }
    }

    // Apex tests see the org's AsyncApexJob rows and, with SeeAllData, its records
    // (Apex Developer Guide, "Isolation of Test Data from Organization Data in Unit
    // Tests"): a test that reads them unfiltered fails or harms a live org (an admin's
    // running job aborted, every later deploy failing). Every query of a test filters
    // to what the test made.
    for (const c of i.classes.filter((t) => t.test)) {
      if (/@IsTest\s*\(\s*SeeAllData\s*=\s*true/i.test(c.text)) problems.push(`Apex test ${c.name} uses SeeAllData=true`);
      for (const [query] of code(c.text).matchAll(/\[\s*SELECT\b[^\]]*\]/gi)) {
        const object = query.match(/\bFROM\s+(\w+)/i)?.[1] ?? "?";
        const where_ = query.match(/\bWHERE\b([\s\S]*)/i)?.[1] ?? "";
        if (/^AsyncApexJob$/i.test(object) && !/\bId\s*(=|IN)\s*:/i.test(where_)) {
          problems.push(`Apex test ${c.name} queries AsyncApexJob without a filter to the jobs it enqueued (WHERE Id IN :...)`);
        } else if (!where_.trim()) {
          problems.push(`Apex test ${c.name} queries ${object} without a filter to what it created`);
        }
      }
    }

    // Aura and LWC references.
    for (const bundle of i.aura) {
      const markup = uncommented(bundle.text);
      const what = `Aura ${bundle.name}`;
      const root = markup.match(/<aura:component\b[^>]*>/)?.[0] ?? "";
      const implementsList = root.match(/\bimplements="([^"]*)"/)?.[1] ?? "";
      if (implementsList && !implementsList.split(",").map((s) => s.trim()).includes("lightning:utilityItem")) {
        problems.push(`Aura component ${bundle.name} does not implement lightning:utilityItem, so it cannot be a utility item`);
      }
      const controller = root.match(/\bcontroller="(\w+)"/)?.[1];
      if (controller) resolve(folder, what, "class", controller);
      for (const [, name] of markup.matchAll(/<c:(\w+)/g)) resolve(folder, what, /^[a-z]/.test(name) ? "lwc" : "aura", name);
      for (const [, name] of markup.matchAll(/<lightning:messageChannel\b[^>]*\btype="(\w+)"/g)) resolve(folder, what, "channel", name);
    }
    for (const bundle of i.lwc) {
      const what = `LWC ${bundle.name}`;
      for (const [, kind, name] of bundle.text.matchAll(/["']@salesforce\/(apex|messageChannel|resourceUrl)\/(\w+)/g)) {
        resolve(folder, what, { apex: "class", messageChannel: "channel", resourceUrl: "resource" }[kind], name);
      }
      for (const [, name] of bundle.text.matchAll(/from\s+["']c\/(\w+)["']/g)) resolve(folder, what, "lwc", name);
    }

    // Call centers: the adapter page.
    for (const center of i.callCenters) {
      for (const url of [first(center.text, "adapterUrl"), ...tag(center.text, "value").filter((v) => v.startsWith("/apex/"))]) {
        const page = url?.match(/^\/apex\/(\w+)/)?.[1];
        if (page) resolve(folder, `call center ${center.name}`, "page", page);
      }
    }

    // Permission sets grant only what resolves; the folder's own set grants every
    // page, class that is not a test, object and custom metadata type of the folder.
    const kinds = { apexPage: "page", apexClass: "class", object: "object", customMetadataType: "object" };
    const grants = (xml, key) => (key === "customMetadataType"
      ? (xml.match(/<customMetadataTypeAccesses>[\s\S]*?<\/customMetadataTypeAccesses>/g) ?? []).map((b) => first(b, "name"))
      : tag(xml, key));
    for (const set of i.permissionSets) {
      for (const key of Object.keys(kinds)) {
        for (const granted of grants(set.text, key)) resolve(folder, `permission set ${set.name}`, kinds[key], granted);
      }
    }
    const own = GRANTS[folder];
    if (own) {
      const set = i.permissionSets.find((s) => s.name === own);
      if (!set) problems.push(`${folder} has no permission set ${own}`);
      else {
        const wanted = {
          apexPage: i.pages.map((p) => p.name),
          apexClass: i.classes.filter((c) => !c.test).map((c) => c.name),
          object: i.objects.filter((o) => !o.endsWith("__mdt") && !isSetting(i, o)),
          customMetadataType: i.objects.filter((o) => o.endsWith("__mdt")),
        };
        for (const [key, list] of Object.entries(wanted)) {
          const granted = new Set(grants(set.text, key));
          for (const name of list) if (!granted.has(name)) problems.push(`permission set ${own} misses ${key} ${name}`);
        }
        for (const block of set.text.match(/<objectPermissions>[\s\S]*?<\/objectPermissions>/g) ?? []) {
          const object = first(block, "object");
          if (object?.endsWith("__e") && (first(block, "allowCreate") !== "true" || first(block, "allowRead") !== "true")) {
            problems.push(`permission set ${own} must let agents create and read ${object}`);
          }
        }
      }
    }
  }

  // One API version for the project and every component.
  const versions = new Map([["sfdx-project.json", String(project.sourceApiVersion)]]);
  for (const folder of folders) {
    for (const file of inv[folder].all.filter((f) => f.endsWith("-meta.xml"))) {
      const version = first(inv[folder].read(file), "apiVersion");
      if (version) versions.set(path.join(folder, file), version);
    }
  }
  if (new Set([...versions.values()].map((v) => Number(v).toFixed(1))).size > 1) {
    problems.push(`API versions disagree: ${[...versions].map(([file, v]) => `${file} ${v}`).join(", ")}`);
  }
  return problems;
}

function triggerObject(text) {
  return text.match(/\btrigger\s+\w+\s+on\s+(\w+)/i)?.[1] ?? "";
}

/** Custom settings are read by Apex in system mode and need no grant. */
function isSetting(i, object) {
  const file = i.all.find((f) => f.endsWith(`${object}.object-meta.xml`));
  return Boolean(file) && /<customSettingsType>/.test(i.read(file));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
  const problems = checkProject(path.resolve(dir));
  for (const problem of problems) console.log(`- ${problem}`);
  console.log(problems.length ? `${problems.length} problem(s)` : "metadata: no problem");
  process.exitCode = problems.length ? 1 : 0;
}
