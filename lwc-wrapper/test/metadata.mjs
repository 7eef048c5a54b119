// What the Lightning console and the Metadata API would refuse, checked on the files of
// the Salesforce package (force-app) without an org. Used by metadata.test.mjs.
//
//   node lwc-wrapper/test/metadata.mjs [FORCE_APP_DIR]   prints the problems, exit 1 if any

import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The permission set every agent gets: it must grant everything the package has. */
export const AGENT_PERMISSION_SET = "OmniSync_Agent";

const tag = (xml, name) => [...xml.matchAll(new RegExp(`<${name}>([^<]*)</${name}>`, "g"))].map((m) => m[1].trim());
const first = (xml, name) => tag(xml, name)[0];

/** Every file under `dir`, as paths relative to it, sorted. */
function files(dir) {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
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

/**
 * Reads every file of the package under `forceApp` and returns what the console or
 * the Metadata API would refuse, one sentence per problem (empty when none).
 * @param {string} forceApp the force-app directory.
 * @param {{sfdxProject?: string}} [options] sfdx-project.json, whose sourceApiVersion
 *   must agree with the files' apiVersion (default: the one next to force-app).
 * @returns {string[]} the problems.
 */
export function checkPackage(forceApp, { sfdxProject = path.join(forceApp, "..", "sfdx-project.json") } = {}) {
  const problems = [];
  const all = files(forceApp);
  const read = (file) => fs.readFileSync(path.join(forceApp, file), "utf8");
  const named = (suffix) => all.filter((f) => f.endsWith(suffix)).map((f) => [path.basename(f, suffix), f]);

  // Pages: only pages "Available for Lightning Experience, Experience Builder sites, and
  // the mobile app" are listed by the App Builder's Visualforce component (utility bar).
  const pages = named(".page");
  for (const [name, file] of pages) {
    const meta = all.includes(`${file}-meta.xml`) ? read(`${file}-meta.xml`) : null;
    if (!meta) problems.push(`page ${name} has no ${file}-meta.xml`);
    else if (first(meta, "availableInTouch") !== "true") {
      problems.push(`page ${name}: availableInTouch is not true, so the utility bar cannot place it`);
    }
    if (/<script\b(?![^>]*\bsrc=)[^>]*>/i.test(read(file))) problems.push(`page ${name} has an inline script`);
  }

  // Message channels: not exposed, so only this package's components can use them.
  for (const [name, file] of named(".messageChannel-meta.xml")) {
    if (first(read(file), "isExposed") !== "false") {
      problems.push(`message channel ${name}: isExposed is not false, so components of other namespaces can publish on it`);
    }
  }

  // Aura bridges live in the utility bar.
  for (const [name, file] of named(".cmp")) {
    const implementsList = (read(file).match(/<aura:component\b[^>]*\bimplements="([^"]*)"/) ?? [])[1] ?? "";
    if (!implementsList.split(",").map((s) => s.trim()).includes("lightning:utilityItem")) {
      problems.push(`Aura component ${name} does not implement lightning:utilityItem, so it cannot be a utility item`);
    }
  }

  // LWC panels: a utility bar target.
  for (const [name, file] of named(".js-meta.xml").filter(([, f]) => f.includes(`lwc${path.sep}`))) {
    if (!tag(read(file), "target").includes("lightning__UtilityBar")) {
      problems.push(`LWC ${name} has no lightning__UtilityBar target`);
    }
  }

  // One API version for the project and every component.
  const versions = new Map();
  if (fs.existsSync(sfdxProject)) {
    const declared = JSON.parse(fs.readFileSync(sfdxProject, "utf8")).sourceApiVersion;
    if (declared) versions.set(path.basename(sfdxProject), String(declared));
  }
  for (const file of all.filter((f) => f.endsWith("-meta.xml"))) {
    const version = first(read(file), "apiVersion");
    if (version) versions.set(file, version.replace(/\.0$/, "") + ".0");
  }
  const distinct = new Set([...versions.values()].map((v) => String(Number(v).toFixed(1))));
  if (distinct.size > 1) {
    const list = [...versions].map(([file, v]) => `${file} ${v}`).join(", ");
    problems.push(`API versions disagree: ${list}`);
  }

  // Apex: every class has a test class named after it that refers to it; a trigger
  // delegates to a class (which is then tested).
  const classes = new Map(named(".cls").map(([name, file]) => [name, read(file)]));
  for (const [name, source] of classes) {
    if (isTestClass(source)) continue;
    const test = classes.get(`${name}Test`);
    if (!test || !isTestClass(test)) problems.push(`Apex class ${name} has no test class ${name}Test`);
    else if (!new RegExp(`\\b${name}\\b`).test(code(test))) problems.push(`Apex test class ${name}Test never refers to ${name}`);
  }
  for (const [name, file] of named(".trigger")) {
    const body = code(read(file));
    const called = [...classes.keys()].filter((c) => !isTestClass(classes.get(c)) && new RegExp(`\\b${c}\\.`).test(body));
    if (!called.length) problems.push(`trigger ${name} does not delegate to a class of the package, so no test can run its logic`);
  }

  // Permission sets: refer only to what exists; the agents' set grants every page,
  // every class that is not a test and every object (custom settings are read by Apex
  // in system mode and need no grant).
  // Custom metadata types are granted by customMetadataTypeAccesses, not objectPermissions.
  const objects = named(".object-meta.xml")
    .filter(([, file]) => !/<customSettingsType>/.test(read(file)))
    .map(([name]) => name);
  const known = {
    apexPage: new Set(pages.map(([name]) => name)),
    apexClass: new Set([...classes.keys()].filter((c) => !isTestClass(classes.get(c)))),
    object: new Set(objects.filter((name) => !name.endsWith("__mdt"))),
    customMetadataType: new Set(objects.filter((name) => name.endsWith("__mdt"))),
  };
  // What a permission set grants of one kind.
  const grants = (xml, kind) => kind === "customMetadataType"
    ? (xml.match(/<customMetadataTypeAccesses>[\s\S]*?<\/customMetadataTypeAccesses>/g) ?? []).map((b) => first(b, "name"))
    : tag(xml, kind);
  const sets = named(".permissionset-meta.xml");
  for (const [name, file] of sets) {
    const xml = read(file);
    for (const [kind, names] of Object.entries(known)) {
      for (const granted of grants(xml, kind)) {
        if (!names.has(granted)) problems.push(`permission set ${name} grants ${kind} ${granted}, which the package does not have`);
      }
    }
  }
  const agents = sets.find(([name]) => name === AGENT_PERMISSION_SET);
  if (!agents) problems.push(`the package has no permission set ${AGENT_PERMISSION_SET}`);
  else {
    const xml = read(agents[1]);
    for (const [kind, names] of Object.entries(known)) {
      const granted = new Set(grants(xml, kind));
      for (const wanted of names) {
        if (!granted.has(wanted)) problems.push(`permission set ${AGENT_PERMISSION_SET} misses ${kind} ${wanted}`);
      }
    }
    for (const block of xml.match(/<objectPermissions>[\s\S]*?<\/objectPermissions>/g) ?? []) {
      const object = first(block, "object");
      if (object?.endsWith("__e") && (first(block, "allowCreate") !== "true" || first(block, "allowRead") !== "true")) {
        problems.push(`permission set ${AGENT_PERMISSION_SET} must let agents create and read ${object}`);
      }
    }
  }
  return problems;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "force-app");
  const problems = checkPackage(path.resolve(dir));
  for (const problem of problems) console.log(`- ${problem}`);
  console.log(problems.length ? `${problems.length} problem(s)` : "metadata: no problem");
  process.exitCode = problems.length ? 1 : 0;
}
