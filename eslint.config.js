// @ts-check
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');
const globals = require('globals');

module.exports = tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'models/**', 'coverage/**', '*.config.js', 'eslint.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    files: ['features/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['../src/*', '../../src/*', 'node:*', 'fs', 'path', 'os', 'http', 'crypto'] }],
      'no-restricted-globals': ['error', 'process', 'setTimeout', 'setInterval'],
      'no-restricted-properties': ['error', { object: 'Date', property: 'now' }, { object: 'performance', property: 'now' }, { object: 'Math', property: 'random' }],
    },
  },
  {
    // onnxruntime-node's private modules are used behind one adapter, whose test fails when they change.
    files: ['src/**/*.ts'],
    ignores: ['src/model/onnx-native-session.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['onnxruntime-node/*'], message: 'onnxruntime-node internals are used only in src/model/onnx-native-session.ts' }] }],
    },
  },
  { files: ['src/cli/**/*.ts', 'test/**/*.ts'], rules: { 'no-console': 'off' } },
);
