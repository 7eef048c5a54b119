// ESLint for the Salesforce parts: Salesforce's LWC rules for the panel, the Aura
// plugin for the bridge component, Jest globals for the tests.
const lwcConfig = require("@salesforce/eslint-config-lwc");
const auraPlugin = require("@salesforce/eslint-plugin-aura");
const globals = require("globals");

module.exports = [
  { ignores: ["**/staticresources/**", "**/.sfdx/**", "**/.localdevserver/**"] },
  ...lwcConfig.configs.recommended.map((config) => ({ ...config, files: ["*/main/default/lwc/**/*.js"] })),
  ...[].concat(auraPlugin.configs.recommended).map((config) => ({
    ...config,
    files: ["*/main/default/aura/**/*.js"],
    ignores: ["**/__tests__/**"],
  })),
  {
    files: ["**/__tests__/**/*.js", "jest/**/*.js"],
    languageOptions: { globals: { ...globals.jest, ...globals.node } },
  },
];
