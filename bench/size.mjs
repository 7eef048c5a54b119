// What the agent's browser downloads, and how it is counted: the benchmark's size table
// and the size check in the test suite (www/test/size.test.mjs) read the same files the
// same way.

import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/**
 * The shim's own modules: www/omnisync.js and every local module it imports, followed
 * through their imports (the glue under pkg/ is counted on its own).
 * @returns {string[]} paths relative to the repository
 */
function shimModules() {
  const seen = new Set();
  const visit = (rel) => {
    if (seen.has(rel)) return;
    seen.add(rel);
    const text = fs.readFileSync(path.join(ROOT, rel), "utf8");
    for (const [, spec] of text.matchAll(/^(?:import|export)\b[^;]*?\bfrom\s+"(\.[^"]+)"/gms)) {
      const next = path.posix.join(path.posix.dirname(rel), spec);
      if (!next.startsWith("www/pkg/")) visit(next);
    }
  };
  visit("www/omnisync.js");
  return [...seen];
}

/** The shipped files: the wasm, its glue and the shim's modules (relative to the repository). */
export const SHIPPED = ["pkg/web/omnisync_bg.wasm", "pkg/web/omnisync.js", ...shimModules()];

/** The size budget and the target, in gzip -9 bytes (bench/size-budget.json). */
export const BUDGET = JSON.parse(fs.readFileSync(path.join(ROOT, "bench/size-budget.json"), "utf8"));

/**
 * Bytes of `file` under `gzip -9 -c` (zlib at level 9 when gzip is missing).
 * @param {string} file absolute path
 * @returns {number} compressed size
 */
export function gzipBytes(file) {
  try {
    return execFileSync("gzip", ["-9", "-c", file], { maxBuffer: 64 << 20 }).length;
  } catch {
    return zlib.gzipSync(fs.readFileSync(file), { level: 9 }).length;
  }
}

/**
 * Raw and gzip -9 size of each shipped file, and the totals.
 * @param {string} [pkg] another build's pkg directory (its web/ replaces pkg/web)
 * @returns {{rows: {file: string, bytes: number, gzipBytes: number}[], totalBytes: number,
 *   totalGzipBytes: number, wasmGzipBytes: number}}
 */
export function shippedSizes(pkg) {
  const rows = SHIPPED.map((rel) => {
    const file = pkg && rel.startsWith("pkg/") ? path.resolve(pkg, rel.slice(4)) : path.join(ROOT, rel);
    if (!fs.existsSync(file)) throw new Error(`${rel} is missing: run bash scripts/build-wasm.sh first`);
    return { file: rel, bytes: fs.statSync(file).size, gzipBytes: gzipBytes(file) };
  });
  const sum = (key) => rows.reduce((n, r) => n + r[key], 0);
  return { rows, totalBytes: sum("bytes"), totalGzipBytes: sum("gzipBytes"), wasmGzipBytes: rows[0].gzipBytes };
}
