#!/usr/bin/env node
// The size profile of the binding's wasm: code bytes per group of functions, read from
// the release wasm before wasm-bindgen and wasm-opt (the only build that still has the
// function names), so each change to the bundle can say what it moved.
//
//   node bench/wasm-profile.mjs [FILE.wasm] [--json] [--top N]
//
// FILE defaults to target/wasm32-unknown-unknown/wasm/omnisync_wasm.wasm, which
// scripts/build-wasm.sh leaves behind. Groups are decided by the (mangled) symbol name,
// first match wins: float formatting, serde (every derive and both back ends), core::fmt,
// wasm-bindgen (and js-sys, web-sys), alloc (the allocator, vectors, maps), the
// binding (omnisync_wasm), the core (omnisync), other (std, core, compiler builtins).

import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const DEFAULT = path.join(ROOT, "target/wasm32-unknown-unknown/wasm/omnisync_wasm.wasm");

/** Group names in the order they are tried, with the pattern that claims a symbol. */
export const GROUPS = [
  ["float formatting", /flt2dec|dragon|grisu|float_to_decimal|fmt5float/],
  ["serde", /serde|Deserializ|Serializ|[Vv]isit/],
  ["core::fmt", /4core3fmt|core\.\.fmt|3fmt/],
  ["wasm-bindgen", /wasm_bindgen|js_sys|web_sys|externref|__wbg|__wbindgen/],
  ["alloc", /alloc|dlmalloc|RawVec/],
  ["binding (omnisync_wasm)", /omnisync_wasm/],
  ["core (omnisync)", /omnisync/],
];

/**
 * The functions of a wasm module: name (from the name section) and code size.
 * @param {Buffer} buf the module's bytes
 * @returns {{name: string, bytes: number}[]}
 */
export function functions(buf) {
  let p = 8;
  const uleb = () => {
    let result = 0;
    let shift = 0;
    let byte;
    do {
      byte = buf[p++];
      result += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    return result;
  };
  const name = () => {
    const length = uleb();
    const text = buf.subarray(p, p + length).toString("utf8");
    p += length;
    return text;
  };
  let imported = 0;
  const sizes = [];
  const names = new Map();
  while (p < buf.length) {
    const id = buf[p++];
    const size = uleb();
    const end = p + size;
    if (id === 2) {
      // Imports: only functions take a slot in the function index space.
      for (let n = uleb(); n > 0; n--) {
        name();
        name();
        const kind = buf[p++];
        if (kind === 0) { uleb(); imported++; }
        else if (kind === 1) { p++; if (buf[p++] & 1) { uleb(); uleb(); } else uleb(); }
        else if (kind === 2) { if (buf[p++] & 1) { uleb(); uleb(); } else uleb(); }
        else p += 2;
      }
    } else if (id === 10) {
      for (let n = uleb(); n > 0; n--) {
        const bytes = uleb();
        sizes.push(bytes);
        p += bytes;
      }
    } else if (id === 0 && name() === "name") {
      while (p < end) {
        const sub = buf[p++];
        const length = uleb();
        const subEnd = p + length;
        if (sub === 1) for (let n = uleb(); n > 0; n--) names.set(uleb(), name());
        p = subEnd;
      }
    }
    p = end;
  }
  return sizes.map((bytes, i) => ({ name: names.get(i + imported) ?? `function ${i + imported}`, bytes }));
}

/**
 * Code bytes per group.
 * @param {{name: string, bytes: number}[]} list
 * @returns {{total: number, functions: number, groups: Record<string, number>}}
 */
export function profile(list) {
  const groups = Object.fromEntries([...GROUPS.map(([g]) => [g, 0]), ["other", 0]]);
  for (const { name, bytes } of list) {
    const group = GROUPS.find(([, re]) => re.test(name))?.[0] ?? "other";
    groups[group] += bytes;
  }
  return { total: list.reduce((sum, f) => sum + f.bytes, 0), functions: list.length, groups };
}

function main() {
  const args = process.argv.slice(2);
  const file = args.find((a) => a.endsWith(".wasm")) ?? DEFAULT;
  const topAt = args.indexOf("--top");
  const top = topAt >= 0 ? Number(args[topAt + 1]) : 0;
  if (!fs.existsSync(file)) {
    console.error(`${file} is missing: run bash scripts/build-wasm.sh first`);
    process.exit(2);
  }
  const list = functions(fs.readFileSync(file));
  const result = profile(list);
  if (args.includes("--json")) {
    console.log(JSON.stringify(result));
    return;
  }
  console.log(`${path.relative(ROOT, file)}: ${result.functions} functions, ${result.total.toLocaleString("en-US")} code bytes`);
  for (const [group, bytes] of Object.entries(result.groups).sort((a, b) => b[1] - a[1])) {
    const share = ((100 * bytes) / result.total).toFixed(1);
    console.log(`${group.padEnd(26)} ${bytes.toLocaleString("en-US").padStart(9)} ${share.padStart(5)} %`);
  }
  for (const f of [...list].sort((a, b) => b.bytes - a.bytes).slice(0, top)) {
    console.log(`${String(f.bytes).padStart(7)} ${f.name.slice(0, 120)}`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) main();
