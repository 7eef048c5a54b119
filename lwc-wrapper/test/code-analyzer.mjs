// Salesforce Code Analyzer on the package: its PMD engine (Apex rules, run by PMD's
// Apex parser, so a class or trigger that does not parse is a failure too) and its
// ESLint engine (the Aura and LWC JavaScript), through @salesforce/code-analyzer-core
// as the `sf code-analyzer run` command would. Needs a Java runtime (PMD).
//
//   node lwc-wrapper/test/code-analyzer.mjs [DIR...]   (default: every package folder)
//
// Prints every violation with its severity (1 Critical ... 5 Info) and ends with one
// line "code-analyzer: N violation(s) of severity 1 or 2, M of 3 to 5, F file(s)
// analysed". Exit 1 when any violation has severity 1 or 2, when a file could not be
// processed, or when an engine did not run.

import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { CodeAnalyzer, CodeAnalyzerConfig, EventType, LogLevel } from "@salesforce/code-analyzer-core";
import * as pmd from "@salesforce/code-analyzer-pmd-engine";
import * as eslint from "@salesforce/code-analyzer-eslint-engine";

const WRAPPER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const FOLDERS = process.argv.length > 2 ? process.argv.slice(2).map((d) => path.resolve(d))
  : JSON.parse(fs.readFileSync(path.join(WRAPPER, "sfdx-project.json"), "utf8")).packageDirectories.map((d) => path.join(WRAPPER, d.path));
const ENGINES = ["pmd", "eslint"];

async function main() {
  const config = CodeAnalyzerConfig.fromObject(
    {
      // The tests of the LWC and Aura code are Jest files: not shipped, not analysed.
      ignores: { files: ["**/__tests__/**", "**/staticresources/**"] },
      engines: {
        // The package keeps its own ESLint configuration (lwc-wrapper/eslint.config.cjs,
        // run by test:sf); here the engine runs Salesforce's base rule sets only.
        eslint: { disable_typescript_base_config: true },
      },
    },
    WRAPPER,
  );
  const analyzer = new CodeAnalyzer(config);
  const errors = [];
  // Errors of the core and of the engines: PMD reports a file its Apex parser cannot
  // read as an engine error ("PMD issued a processing error for file ...").
  analyzer.onEvent(EventType.LogEvent, (event) => {
    if (event.logLevel <= LogLevel.Error) errors.push(`core: ${event.message}`);
  });
  analyzer.onEvent(EventType.EngineLogEvent, (event) => {
    if (event.logLevel <= LogLevel.Error) errors.push(`${event.engineName}: ${event.message}`);
  });
  await analyzer.addEnginePlugin(pmd.createEnginePlugin());
  await analyzer.addEnginePlugin(eslint.createEnginePlugin());
  const workspace = await analyzer.createWorkspace(FOLDERS);
  const files = await workspace.getTargetedFiles();
  const selection = await analyzer.selectRules(ENGINES.map((engine) => `${engine}:Recommended`), { workspace });
  const results = await analyzer.run(selection, { workspace });

  let severe = 0;
  let minor = 0;
  for (const engine of ENGINES) {
    const run = results.getEngineRunResults(engine);
    console.log(`${engine} ${run.getEngineVersion()}: ${selection.getRulesFor(engine).length} rules, ${run.getViolationCount()} violation(s)`);
  }
  for (const violation of results.getViolations()) {
    const rule = violation.getRule();
    const where = violation.getPrimaryLocation();
    const severity = rule.getSeverityLevel();
    if (severity <= 2) severe += 1;
    else minor += 1;
    const file = where.getFile() ? path.relative(WRAPPER, where.getFile()) : "?";
    console.log(`  sev ${severity} ${rule.getEngineName()}:${rule.getName()} ${file}:${where.getStartLine() ?? "?"} ${violation.getMessage().trim()}`);
  }
  const apex = files.filter((f) => /\.(cls|trigger)$/.test(f)).length;
  for (const error of errors) console.log(`  error: ${error}`);
  console.log(`code-analyzer: ${severe} violation(s) of severity 1 or 2, ${minor} of 3 to 5, ` +
    `${files.length} file(s) analysed (${apex} Apex classes and triggers parsed by PMD)`);
  const missing = ENGINES.filter((engine) => !selection.getEngineNames().includes(engine));
  if (missing.length) console.log(`code-analyzer: engine(s) not run: ${missing.join(", ")}`);
  return severe || errors.length || missing.length || apex === 0 ? 1 : 0;
}

main().then((code) => {
  process.exitCode = code;
}, (error) => {
  console.error(`code-analyzer failed: ${error.stack ?? error}`);
  process.exitCode = 1;
});
