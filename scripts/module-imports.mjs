#!/usr/bin/env node
/**
 * Lists, for each Rust module of each crate of the workspace (src/ for the core,
 * crates/wasm/src, crates/cli/src, crates/py/src; one module per file), the crate modules it imports
 * (`use crate::…`, `use super::…`, `use child::…`, and `crate::…`/`super::…` paths in
 * code), then looks for import circles: between top-level modules, and between the
 * child modules of each directory module (e.g. `rules::compile` and `rules::parse`),
 * the parent module (its mod.rs; lib.rs for the top level) counted as one of them.
 * Test modules (`#[cfg(test)] mod … { }`) and comments are left out.
 *
 * Usage: node scripts/module-imports.mjs [--allow MODULE]... [--quiet]
 *   --allow MODULE   report circles inside MODULE (e.g. `wasm`) without failing
 *   --quiet          print only the circles
 * Also checks the layout comments: a module header mapping its children "lowest
 * first" (one `//! - `name`` bullet each) lists no module before one it imports.
 * Exits 1 when a circle is found that is not allowed, or a layout comment is out of
 * order.
 */
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";

const repo = join(import.meta.dirname, "..");
/** Each crate's source folder and its root file. */
const CRATES = [
  ["src", "lib.rs"],
  ["crates/wasm/src", "lib.rs"],
  ["crates/cli/src", "main.rs"],
  ["crates/py/src", "lib.rs"],
];
const args = process.argv.slice(2);
const allowed = args.flatMap((a, i) => (a === "--allow" ? [args[i + 1]] : []));
const quiet = args.includes("--quiet");

/** Every .rs file under `dir`, sorted. */
function files(dir) {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return files(path);
      return name.endsWith(".rs") ? [path] : [];
    });
}

/** The module path of a file: src/rules/compile/mod.rs -> "rules::compile". */
function modulePath(root, file) {
  const parts = relative(root, file).replace(/\.rs$/, "").split(sep);
  if (parts.at(-1) === "mod" || (parts.length === 1 && ["lib", "main"].includes(parts[0]))) parts.pop();
  return parts.join("::");
}

/** The source without comments and without `#[cfg(test)]` modules. */
function code(text) {
  const lines = text.replace(/\/\*[\s\S]*?\*\//g, "").split("\n");
  const kept = [];
  for (let i = 0; i < lines.length; i++) {
    if (/^\s*#\[cfg\(test\)\]\s*$/.test(lines[i]) && /^\s*(pub(\([^)]*\))?\s+)?mod\s+\w+\s*\{/.test(lines[i + 1] ?? "")) {
      const indent = lines[i + 1].match(/^\s*/)[0];
      i += 2;
      while (i < lines.length && lines[i] !== `${indent}}`) i++;
      continue;
    }
    kept.push(lines[i].replace(/\/\/.*$/, ""));
  }
  return kept.join("\n");
}

/** Expands a use tree (`a::{b, c::{d, e}}`) into its paths. */
function expand(tree) {
  tree = tree.trim();
  const open = tree.indexOf("{");
  if (open < 0) return [tree.replace(/\s+as\s+\w+$/, "")];
  const prefix = tree.slice(0, open);
  const inner = tree.slice(open + 1, tree.lastIndexOf("}"));
  const items = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < inner.length; i++) {
    if (inner[i] === "{") depth++;
    else if (inner[i] === "}") depth--;
    else if (inner[i] === "," && depth === 0) {
      items.push(inner.slice(start, i));
      start = i + 1;
    }
  }
  items.push(inner.slice(start));
  return items.filter((s) => s.trim()).flatMap((item) => expand(prefix + item.trim()));
}

let anyCircle = false;
let anyFailed = false;
for (const [folder, rootFile] of CRATES) {
  const root = join(repo, folder);
  const sources = files(root).map((file) => ({ file, module: modulePath(root, file) }));
  const modules = new Set(sources.map((s) => s.module));

  /** The longest known module that `segments` (absolute, from the crate root) lies in. */
  function resolve(segments) {
    for (let n = segments.length; n > 0; n--) {
      const candidate = segments.slice(0, n).join("::");
      if (modules.has(candidate)) return candidate;
    }
    return ""; // the crate root (lib.rs)
  }

  // Items the crate root re-exports (`pub use engine::{Engine, ...}`): `crate::Engine`
  // is an import of `engine`.
  const rootExports = new Map();
  for (const m of code(readFileSync(join(root, rootFile), "utf8")).matchAll(/pub use ([^;]+);/g)) {
    for (const path of expand(m[1])) {
      const segments = path.split("::");
      rootExports.set(segments.at(-1), resolve(segments.slice(0, -1)));
    }
  }

  /** The module a path written in `from` names, or null when it is outside the crate. */
  function target(path, from) {
    const segments = path.split("::").map((s) => s.trim()).filter(Boolean);
    let base = from ? from.split("::") : [];
    if (segments[0] === "crate") {
      segments.shift();
      if (segments.length === 1 && rootExports.has(segments[0])) return rootExports.get(segments[0]);
      return resolve(segments);
    }
    if (segments[0] === "self") return resolve([...base, ...segments.slice(1)]);
    if (segments[0] === "super") {
      while (segments[0] === "super") {
        segments.shift();
        base = base.slice(0, -1);
      }
      return resolve([...base, ...segments]);
    }
    // A path relative to the current module names one of its children.
    const child = [...base, segments[0]].join("::");
    return modules.has(child) ? resolve([...base, ...segments]) : null;
  }

  const imports = new Map();
  for (const { file, module } of sources) {
    const text = code(readFileSync(file, "utf8"));
    const found = new Set();
    for (const m of text.matchAll(/\buse\s+([^;]+);/g)) {
      for (const path of expand(m[1])) {
        const t = target(path, module);
        if (t !== null) found.add(t);
      }
    }
    for (const m of text.matchAll(/(?<![\w:])((?:crate|super)(?:::\w+)+)/g)) {
      const t = target(m[1], module);
      if (t !== null) found.add(t);
    }
    found.delete(module);
    imports.set(module, [...found].sort());
  }

  if (!quiet) {
    console.log(`# ${relative(repo, root)}: imports per module (file), crate root as \`crate\``);
    for (const [module, list] of [...imports].sort()) {
      console.log(`${module || "crate"}: ${list.map((t) => t || "crate").join(", ") || "-"}`);
    }
  }

  /** Strongly connected components of size > 1 (Tarjan). */
  function circles(nodes, edges) {
    let index = 0;
    const stack = [];
    const info = new Map();
    const found = [];
    const visit = (v) => {
      info.set(v, { index, low: index, onStack: true });
      index++;
      stack.push(v);
      for (const w of edges.get(v) ?? []) {
        if (!info.has(w)) {
          visit(w);
          info.get(v).low = Math.min(info.get(v).low, info.get(w).low);
        } else if (info.get(w).onStack) {
          info.get(v).low = Math.min(info.get(v).low, info.get(w).index);
        }
      }
      if (info.get(v).low === info.get(v).index) {
        const component = [];
        let w;
        do {
          w = stack.pop();
          info.get(w).onStack = false;
          component.push(w);
        } while (w !== v);
        if (component.length > 1) found.push(component.sort());
      }
    };
    for (const v of [...nodes].sort()) if (!info.has(v)) visit(v);
    return found;
  }

  /**
   * The graph of `scope`'s children (top level for ""), deeper modules folded in, with
   * the parent itself (`scope`'s mod.rs, or lib.rs for the top level) as one more node:
   * a child that imports `super::x` from a parent that imports the child back (a
   * re-export, a helper) makes a circle like any two siblings would.
   */
  function graph(scope) {
    const depth = scope ? scope.split("::").length + 1 : 1;
    const inScope = (m) => m === scope || (scope ? m.startsWith(`${scope}::`) : true);
    const fold = (m) => (m === scope ? scope : m.split("::").slice(0, depth).join("::"));
    const edges = new Map();
    for (const [module, list] of imports) {
      if (!inScope(module)) continue;
      const from = fold(module);
      for (const t of list) {
        if (!inScope(t) || fold(t) === from) continue;
        if (!edges.has(from)) edges.set(from, new Set());
        edges.get(from).add(fold(t));
      }
    }
    return edges;
  }

  /** A module's name in a circle: the parent of a scope is marked as such. */
  const label = (m, scope) => (m === scope ? `${scope || "crate"} (parent)` : m);

  // Scopes: the top level, and every module that has children.
  const scopes = ["", ...[...modules].filter((m) => [...modules].some((c) => c.startsWith(`${m}::`)))].sort();
  let failed = false;
  console.log(`# ${relative(repo, root)}: circles`);
  for (const scope of scopes) {
    const edges = graph(scope);
    for (const circle of circles(edges.keys(), edges)) {
      const ok = allowed.some((a) => circle.every((m) => m === a || m.startsWith(`${a}::`)));
      failed ||= !ok;
      const names = circle.map((m) => label(m, scope));
      console.log(`${ok ? "allowed" : "CIRCLE"} (${scope || "top level"}): ${names.join(" <-> ")}`);
    }
  }
  const circled = failed;

  // Layout comments: a module header (`//!`) that maps its children "lowest first", one
  // bullet each (`//! - `name`` or `//! - [`name`]`), must list them in an order their
  // imports allow: no module imports one listed after it.
  console.log(`# ${relative(repo, root)}: layout comments`);
  const inside = (m, top) => m === top || m.startsWith(`${top}::`);
  for (const { file, module } of sources) {
    const header = readFileSync(file, "utf8").split("\n").filter((l) => l.startsWith("//!"));
    const from = header.findIndex((l) => /lowest first/.test(l));
    if (from < 0) continue;
    const listed = header
      .slice(from)
      .flatMap((l) => l.match(/^\/\/! - \[?`(\w+)`/)?.slice(1) ?? [])
      .map((name) => (module ? `${module}::${name}` : name))
      .filter((m) => modules.has(m));
    let wrong = 0;
    listed.forEach((low, i) =>
      listed.slice(i + 1).forEach((high) => {
        if (![...imports].some(([m, list]) => inside(m, low) && list.some((t) => inside(t, high)))) return;
        wrong += 1;
        console.log(`LAYOUT (${relative(root, file)}): ${low} is listed before ${high}, which it imports`);
      }),
    );
    failed ||= wrong > 0;
    if (!quiet) console.log(`${relative(root, file)}: ${listed.length} modules listed, ${wrong ? "out of" : "in"} order`);
  }
  anyCircle ||= circled;
  anyFailed ||= failed;
}
console.log(anyCircle ? "import circles found" : "no import circle" + (allowed.length ? ` outside ${allowed.join(", ")}` : ""));
if (anyFailed && !anyCircle) console.log("layout comments out of order");
process.exit(anyFailed ? 1 : 0);
