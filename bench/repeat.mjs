#!/usr/bin/env node
// The repeat load alone (bench/browser.mjs repeatBench), for experiments with V8's
// options; npm run bench measures the shipped figure (no flags) with the rest.
//
//   node bench/repeat.mjs [--runs N] [--js-flags "--wasm-caching-timeout-ms=0 ..."] [--before DIR]
//
// --before DIR loads another build (DIR holds its pkg: web/) instead of this one.

import { repeatBench } from "./browser.mjs";

const argv = process.argv.slice(2);
const value = (name, fallback) => {
  const i = argv.indexOf(name);
  return i < 0 ? fallback : argv[i + 1];
};
const runs = Number(value("--runs", "10"));
if (!Number.isInteger(runs) || runs < 1) {
  console.error('usage: node bench/repeat.mjs [--runs N] [--js-flags "FLAGS"] [--before DIR]');
  process.exit(2);
}
console.log(JSON.stringify(await repeatBench({ runs, jsFlags: value("--js-flags", ""), before: value("--before", null) })));
