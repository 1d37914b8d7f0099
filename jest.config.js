// Jest: TypeScript through ts-jest in transpile-only mode (type-checking is `npm run typecheck`).
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/lib', '<rootDir>/services', '<rootDir>/subgraphs', '<rootDir>/gateway', '<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // The chaos, fuzz and load suites run on their own: npm run test:chaos, npm run test:fuzz, npm run test:load.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/chaos/', '<rootDir>/test/fuzz/', '<rootDir>/test/load/'],
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  testTimeout: 30000,
  // Integration tests start servers and worker threads; run files two at a time on 2 cores.
  maxWorkers: 2,
  // A test that fails before its teardown must not hang CI: exit once the run is over.
  forceExit: true,
};
