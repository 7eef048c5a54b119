// Jest for the LWC panel and the Aura bridge's helper, with Salesforce's LWC presets.
const { jestConfig } = require("@salesforce/sfdx-lwc-jest/config");

module.exports = {
  ...jestConfig,
  modulePathIgnorePatterns: ["<rootDir>/.localdevserver"],
  testMatch: ["**/__tests__/**/*.test.js"],
};
