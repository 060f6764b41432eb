// Two jest projects: the jsii construct library (commonjs, tsconfig.dev.json) and the
// device plugin (nodenext, plugin/tsconfig.test.json). `npm test` runs both.
/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 30000,
  reporters: ['default', '<rootDir>/test/summary-reporter.js'],
  projects: [
    {
      displayName: 'constructs',
      testEnvironment: 'node',
      roots: ['<rootDir>/test'],
      testMatch: ['<rootDir>/test/{constructs,chart,release}/**/*.test.ts'],
      transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.dev.json' }] },
    },
    {
      displayName: 'plugin',
      testEnvironment: 'node',
      roots: ['<rootDir>/test/plugin'],
      testMatch: ['<rootDir>/test/plugin/**/*.test.ts'],
      moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
      transform: {
        // 151002: ts-jest notes that nodenext is a hybrid module kind; the plugin needs it.
        '^.+\\.ts$': [
          'ts-jest',
          { tsconfig: '<rootDir>/plugin/tsconfig.test.json', diagnostics: { ignoreCodes: [151002] } },
        ],
      },
    },
  ],
};
