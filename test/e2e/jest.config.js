// The e2e suite: real Kubernetes on this machine (test/e2e/cluster.sh). Its own config so
// `npm test` never starts a cluster; `npm run test:e2e` runs `jest -c test/e2e/jest.config.js`.
// One worker: the tests share one node and change it (kubelet restarts, XIDs).
const path = require('path');

/** @type {import('jest').Config} */
module.exports = {
  rootDir: path.join(__dirname, '..', '..'),
  displayName: 'e2e',
  testEnvironment: 'node',
  roots: ['<rootDir>/test/e2e'],
  testMatch: ['<rootDir>/test/e2e/**/*.test.ts'],
  testSequencer: '<rootDir>/test/e2e/sequencer.js',
  maxWorkers: 1,
  testTimeout: 180000,
  globalSetup: '<rootDir>/test/e2e/global-setup.js',
  globalTeardown: '<rootDir>/test/e2e/global-teardown.js',
  reporters: ['default', '<rootDir>/test/summary-reporter.js'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.dev.json' }] },
};
