#!/usr/bin/env node
// Builds the Salesforce package's static resources and checks that the DX project
// converts to Metadata API format (`npm run package:sf`):
//
//   1. the wasm bundle (scripts/build-wasm.sh: pkg/web, pkg/node), the rules to ship
//      through `omnisync check` (errors, rule chains that oscillate) and the
//      classic-script shim (npm run build:iife: dist/omnisync.iife.js, OmniSyncShim) and the
//      softphone relay with its phone adapters (npm run build:relay: dist/relay.js);
//   2. lwc-wrapper/core/main/default/staticresources/omnisync.zip (omnisync.iife.js,
//      host.js, relay.js, ccp.js), omnisyncWasm.wasm (the engine, a resource of its own
//      served as application/wasm) and omnisyncRules.json (www/demo/default-rules.json or
//      --rules FILE, refused here when the engine refuses it); build outputs, git-ignored,
//      next to their committed .resource-meta.xml, whose contentType is checked; the
//      optional softphone folder's amazonConnectStreams.js the same way;
//   3. each resource under Salesforce's 5 MB limit, with a size table (raw, gzip -9);
//   4. each package folder of lwc-wrapper/sfdx-project.json converted with
//      @salesforce/source-deploy-retrieve into a temporary directory, alone and each
//      optional folder on top of the core (as an admin deploys them): any conversion
//      error fails, the component count by type is printed, and the core must hold no
//      message channel.
//
//   node scripts/package-sf.mjs [--rules FILE] [--resources-only]
//   npm run package:sf -- --rules my-org-rules.json
//
// --resources-only skips the wasm build, omnisync check and the conversion: it
// re-assembles the resources from the pkg/web already built (e2e/vf-host.test.mjs uses
// it). Exit code 0 on success, 1 on any failure, 2 on a usage error.

import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import Module, { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { unzipSync, zipSync } from "fflate";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const WRAPPER = path.join(ROOT, "lwc-wrapper");
const FOLDERS = JSON.parse(fs.readFileSync(path.join(WRAPPER, "sfdx-project.json"), "utf8")).packageDirectories.map((d) => d.path);
const STATIC = path.join(WRAPPER, "core/main/default/staticresources");
const SOFTPHONE_STATIC = path.join(WRAPPER, "softphone/main/default/staticresources");
const LIMIT = 5 * 1024 * 1024;
// What goes into the omnisync zip, by name in the zip. The page loads each by name.
const ZIP_ENTRIES = {
  "omnisync.iife.js": "dist/omnisync.iife.js",
  "host.js": "www/salesforce/host.js",
  // For Open CTI softphone pages: reports the phone to the host (docs/message-channel.md),
  // bundled with the phone adapters of www/phones/ (npm run build:relay, docs/telephony.md);
  // ccp.js starts the CCP of the optional OmniSyncSoftphone page.
  "relay.js": "dist/relay.js",
  "ccp.js": "www/salesforce/ccp.js",
};
// The engine's wasm, a static resource of its own: Salesforce serves a resource with the
// contentType its metadata declares, so the browser gets application/wasm and the glue
// compiles it while it downloads (WebAssembly.instantiateStreaming). Inside the zip it
// would be served with whatever type the file name maps to.
const WASM = { name: "omnisyncWasm", file: "pkg/web/omnisync_bg.wasm", contentType: "application/wasm" };
// The optional softphone page's Amazon Connect Streams: the npm package's own build.
const STREAMS = "node_modules/amazon-connect-streams/release/connect-streams-min.js";
const DEFAULT_RULES = "www/demo/default-rules.json";
// Components this package cannot work without; others' parts are counted, not named.
const REQUIRED = ["ApexPage:OmniSyncHost", "StaticResource:omnisync", "StaticResource:omnisyncWasm", "StaticResource:omnisyncRules",
  "AuraDefinitionBundle:OmniSyncBridge", "LightningComponentBundle:omniSyncPanel", "ApexClass:OmniSyncBridgeController",
  "ApexClass:OmniSyncHostController", "PermissionSet:OmniSync_Agent", "PermissionSet:OmniSync_Admin"];
// A fixed time stamp keeps the zip byte-identical when its contents are.
const ZIP_MTIME = new Date(2024, 0, 1);

class Failure extends Error {}
const fail = (message) => { throw new Failure(message); };
const rel = (file) => path.relative(ROOT, file);

function run(command, args) {
  console.log(`\n$ ${command} ${args.join(" ")}`);
  const result = spawnSync(command, args, { cwd: ROOT, stdio: "inherit" });
  if (result.error) fail(`${command} could not run: ${result.error.message}`);
  if (result.status !== 0) fail(`${command} ${args.join(" ")} failed (${result.signal ?? `exit ${result.status}`})`);
}

function read(file) {
  const full = path.resolve(ROOT, file);
  if (!fs.existsSync(full)) {
    fail(`${file} is missing${file.startsWith("pkg/") ? ": run npm run package:sf without --resources-only (it builds pkg/web)" : ""}`);
  }
  return fs.readFileSync(full);
}

/** The committed meta file must exist and declare the content type the resource has. */
function checkMeta(name, contentType, dir = STATIC) {
  const meta = path.join(dir, `${name}.resource-meta.xml`);
  if (!fs.existsSync(meta)) fail(`${rel(meta)} is missing`);
  const xml = fs.readFileSync(meta, "utf8");
  const declared = xml.match(/<contentType>([^<]*)<\/contentType>/)?.[1];
  if (declared !== contentType) fail(`${rel(meta)} declares contentType ${declared}, the resource is ${contentType}`);
  if (!/<cacheControl>(Private|Public)<\/cacheControl>/.test(xml)) fail(`${rel(meta)} has no cacheControl`);
}

/** The rules the package ships must be rules the engine accepts. */
function checkRules(text, source) {
  try {
    JSON.parse(text);
  } catch (error) {
    fail(`${source} is not JSON: ${error.message}`);
  }
  const glue = path.join(ROOT, "pkg/node/omnisync.js");
  if (!fs.existsSync(glue)) {
    console.log(`(pkg/node not built: ${source} checked as JSON only)`);
    return;
  }
  const { OmniSync } = createRequire(import.meta.url)(glue);
  // The org's catalog gives the statuses their Ids when the page starts (a name the org
  // lacks is refused then); here each named status stands in for itself.
  const statuses = JSON.parse(text).statuses;
  const catalog = (Array.isArray(statuses) ? statuses : [])
    .filter((s) => typeof s?.developerName === "string")
    .map((s, i) => ({ Id: `0N5${String(i).padStart(12, "0")}`, DeveloperName: s.developerName }));
  try {
    new OmniSync(text, { catalog });
  } catch (error) {
    const details = (error.details ?? []).map((d) => `\n  ${d.path}: ${d.message}`).join("");
    fail(`the engine refuses ${source}: ${error.message}${details}`);
  }
}

function assemble(rulesSource) {
  const entries = Object.fromEntries(Object.entries(ZIP_ENTRIES).map(([name, file]) => [name, new Uint8Array(read(file))]));
  const zip = zipSync(entries, { level: 9, mtime: ZIP_MTIME });
  const rules = read(rulesSource);
  checkRules(rules.toString("utf8"), rulesSource);
  checkMeta("omnisync", "application/zip");
  checkMeta(WASM.name, WASM.contentType);
  checkMeta("omnisyncRules", "application/json");
  const wasm = read(WASM.file);
  fs.writeFileSync(path.join(STATIC, "omnisync.zip"), zip);
  fs.writeFileSync(path.join(STATIC, `${WASM.name}.wasm`), wasm);
  fs.writeFileSync(path.join(STATIC, "omnisyncRules.json"), rules);
  checkMeta("amazonConnectStreams", "application/javascript", SOFTPHONE_STATIC);
  fs.writeFileSync(path.join(SOFTPHONE_STATIC, "amazonConnectStreams.js"), read(STREAMS));
  return { entries, zip, wasm, rules };
}

function report({ entries, zip, wasm, rules }) {
  const gzip = (bytes) => zlib.gzipSync(bytes, { level: 9 }).length;
  const rows = [
    ...Object.entries(entries).map(([name, bytes]) => [`  omnisync.zip: ${name}`, bytes.length, gzip(bytes), ""]),
    ["omnisync.zip", zip.length, gzip(zip), zip.length < LIMIT ? "ok" : "OVER 5 MB"],
    [`${WASM.name}.wasm`, wasm.length, gzip(wasm), wasm.length < LIMIT ? "ok" : "OVER 5 MB"],
    ["omnisyncRules.json", rules.length, gzip(rules), rules.length < LIMIT ? "ok" : "OVER 5 MB"],
  ];
  console.log(`\nstatic resources (${rel(STATIC)}), limit ${LIMIT} bytes each`);
  console.log(`${"resource".padEnd(36)} ${"bytes".padStart(10)} ${"gzip-9".padStart(10)}  limit`);
  for (const [name, raw, gz, verdict] of rows) {
    console.log(`${name.padEnd(36)} ${String(raw).padStart(10)} ${String(gz).padStart(10)}  ${verdict}`);
  }
  const over = rows.filter(([, , , verdict]) => verdict.startsWith("OVER")).map(([name]) => name);
  if (over.length) fail(`over Salesforce's 5 MB static resource limit: ${over.join(", ")}`);
}

/**
 * @salesforce/source-deploy-retrieve 13 declares node >= 22: through @salesforce/core
 * it loads jsforce, whose HTTP client (undici 8) fails at load time on node 20. The
 * conversion is offline, so on an older node jsforce gets a stand-in for undici that
 * refuses any request. Remove once the machines run node 22.
 */
function allowOfflineSdrOnOldNode() {
  if (Number(process.versions.node.split(".")[0]) >= 22) return;
  const offline = async () => { throw new Error("package-sf: no network in an offline conversion"); };
  const standIn = { Agent: class {}, ProxyAgent: class {}, fetch: offline, request: offline };
  const load = Module._load;
  Module._load = function (request, ...rest) {
    return request === "undici" ? standIn : load.call(this, request, ...rest);
  };
  console.log(`(node ${process.versions.node}: jsforce's undici replaced by an offline stand-in for the conversion)`);
}

/** Converts `folders` together; returns the names of the components ("Type:name"). */
async function convertFolders(folders) {
  const { ComponentSet, ForceIgnore, MetadataConverter } = await import("@salesforce/source-deploy-retrieve");
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "omnisync-mdapi-"));
  const dirs = folders.map((f) => path.join(WRAPPER, f));
  try {
    let set;
    let result;
    try {
      set = ComponentSet.fromSource(dirs);
      result = await new MetadataConverter().convert(set, "metadata", {
        type: "directory", outputDirectory: out, genUniqueDir: false,
      });
    } catch (error) {
      fail(`metadata conversion of ${folders.join(" + ")} failed: ${error.name}: ${error.message}`);
    }
    const byType = new Map();
    const names = new Set();
    for (const component of set.getSourceComponents()) {
      byType.set(component.type.name, (byType.get(component.type.name) ?? 0) + 1);
      names.add(`${component.type.name}:${component.fullName}`);
    }
    console.log(`\n${folders.join(" + ")} converts to Metadata API format (${set.size} components)`);
    for (const [type, count] of [...byType].sort(([a], [b]) => a.localeCompare(b))) {
      console.log(`  ${type.padEnd(32)} ${String(count).padStart(4)}`);
    }
    // The resolver skips what it cannot place (a page without its -meta.xml, say)
    // without a word: every file must belong to a component or be force-ignored.
    const claimed = new Set();
    const claim = (component) => {
      [component.xml, ...component.walkContent()].filter(Boolean).forEach((file) => claimed.add(path.resolve(file)));
      component.getChildren().forEach(claim);
    };
    for (const component of set.getSourceComponents()) claim(component);
    const ignore = ForceIgnore.findAndCreate(WRAPPER);
    const stray = dirs.flatMap((dir) => fs.readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => path.join(entry.parentPath ?? entry.path, entry.name)))
      .filter((file) => !claimed.has(file) && ignore.accepts(file));
    if (stray.length) fail(`not part of any component (a missing -meta.xml?): ${stray.map(rel).join(", ")}`);
    if (folders.includes("core")) {
      // What would be deployed: the zip must come out of the conversion intact.
      const converted = path.join(result.packagePath ?? out, "staticresources/omnisync.resource");
      if (!fs.existsSync(converted)) fail("the conversion produced no staticresources/omnisync.resource");
      const inside = Object.keys(unzipSync(new Uint8Array(fs.readFileSync(converted)))).sort();
      if (inside.join() !== Object.keys(ZIP_ENTRIES).sort().join()) {
        fail(`the converted omnisync.resource holds ${inside.join(", ")}`);
      }
      // And the wasm as its own resource, byte for byte.
      const wasm = path.join(result.packagePath ?? out, `staticresources/${WASM.name}.resource`);
      if (!fs.existsSync(wasm)) fail(`the conversion produced no staticresources/${WASM.name}.resource`);
      if (!fs.readFileSync(wasm).equals(read(WASM.file))) fail(`the converted ${WASM.name}.resource is not ${WASM.file}`);
    }
    return names;
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

async function convert() {
  allowOfflineSdrOnOldNode();
  const core = await convertFolders(["core"]);
  const missing = REQUIRED.filter((name) => !core.has(name));
  if (missing.length) fail(`components missing from the core: ${missing.join(", ")}`);
  const channels = [...core].filter((name) => name.startsWith("LightningMessageChannel:"));
  if (channels.length) fail(`the core holds message channels (${channels.join(", ")}): they belong in an optional folder`);
  for (const optional of FOLDERS.filter((f) => f !== "core")) {
    await convertFolders([optional]);
    await convertFolders(["core", optional]);
  }
}

async function main() {
  const args = process.argv.slice(2);
  let resourcesOnly = false;
  let rulesSource = DEFAULT_RULES;
  for (let i = 0; i < args.length; i += 1) {
    if (args[i] === "--resources-only") resourcesOnly = true;
    else if (args[i] === "--rules" && args[i + 1]) rulesSource = path.relative(ROOT, path.resolve(process.env.INIT_CWD ?? process.cwd(), args[(i += 1)]));
    else {
      console.error(`usage: node scripts/package-sf.mjs [--rules FILE] [--resources-only] (not understood: ${args[i]})`);
      return 2;
    }
  }
  if (!resourcesOnly) {
    run("bash", ["scripts/build-wasm.sh"]);
    // What an admin runs before uploading rules: errors and rule chains that oscillate.
    run("cargo", ["run", "--quiet", "--release", "--bin", "omnisync", "--", "check", rulesSource, "--format", "table"]);
  }
  run("npm", ["run", "--silent", "build:iife"]);
  run("npm", ["run", "--silent", "build:relay"]);
  const built = assemble(rulesSource);
  report(built);
  if (!resourcesOnly) await convert();
  console.log(`\npackage:sf ok${resourcesOnly ? " (resources only)" : ""}`);
  return 0;
}

main().then((code) => { process.exitCode = code; }, (error) => {
  console.error(`\npackage:sf failed: ${error instanceof Failure ? error.message : error.stack}`);
  process.exitCode = 1;
});
