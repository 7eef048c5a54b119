// Jest for the LWC panel and the Aura bridge's helper, with Salesforce's LWC presets.
const { jestConfig } = require("@salesforce/sfdx-lwc-jest/config");

module.exports = {
  ...jestConfig,
  modulePathIgnorePatterns: ["<rootDir>/.localdevserver"],
  testMatch: ["**/__tests__/**/*.test.js"],
  setupFiles: [...(jestConfig.setupFiles ?? []), "<rootDir>/jest/structured-clone.cjs"],
  // sfdx-lwc-jest stubs messageService and platformWorkspaceApi but not the utility bar.
  moduleNameMapper: {
    "^lightning/platformUtilityBarApi$": "<rootDir>/jest/mocks/lightning/platformUtilityBarApi",
  },
};
