/** @type {import('jest').Config} */
module.exports = {
  // Shares the host realm's typed arrays and Symbol.dispose with tests (onnxruntime-node, `using`).
  testEnvironment: '<rootDir>/test/support/host-realm-environment.ts',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: false }],
    // The CEL evaluator ships ES modules only (Node's own require loads them; jest's does not).
    '/node_modules/@marcbachmann/cel-js/.+\\.js$': ['ts-jest', { tsconfig: { allowJs: true, module: 'commonjs', target: 'ES2022' }, diagnostics: false }],
  },
  transformIgnorePatterns: ['/node_modules/(?!@marcbachmann/cel-js/)'],
  testTimeout: 60000,
  // Integration suites share PostgreSQL/Redis databases by name; each suite isolates itself with
  // its own schema or key prefix, so files may run in parallel on the two cores.
  maxWorkers: 2,
};
