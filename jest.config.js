/** Jest runs the TypeScript sources directly; unit and integration suites live under test/. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: false }] },
  testTimeout: 30000,
  globalSetup: '<rootDir>/test/contract/global-setup.ts',
  globalTeardown: '<rootDir>/test/contract/global-teardown.ts',
};
