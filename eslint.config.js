// ESLint 9 flat config: typescript-eslint's recommended rules over every TypeScript folder, plus
// the type-aware promise rules that matter for a long-running server (a dropped promise is an
// unhandled rejection that kills the process, or an error nobody logs).
import Module from 'node:module';
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import globals from 'globals';

// typescript-eslint needs TypeScript's JavaScript API, which TypeScript 7 (our `tsc`, written in
// Go) no longer ships. scripts/eslint-typescript6 holds TypeScript 6.0, nested so that its `tsc`
// never shadows ours; this hook sends every `require('typescript')` in this ESLint process there.
// It must run before typescript-eslint loads, hence the dynamic import below. Remove both once
// typescript-eslint supports TypeScript 7.
const typescript6 = Module.createRequire(import.meta.url)('eslint-typescript6');
const moduleWithHook = /** @type {{ _resolveFilename: Function }} */ (/** @type {unknown} */ (Module));
const resolveFilename = moduleWithHook._resolveFilename;
moduleWithHook._resolveFilename = function (request, ...rest) {
  const redirected = request === 'typescript' || request.startsWith('typescript/') ? typescript6 + request.slice('typescript'.length) : request;
  return resolveFilename.call(this, redirected, ...rest);
};
const { default: tseslint } = await import('typescript-eslint');

export default defineConfig(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/build/**',
      'models/trained/**',
      'test-artifacts/**',
      'checkpoints/**',
      'scratch/**',
      '.scratch/**',
      'recordings/**',
      'data/personal/**',
      'data/writers/**',
      'data/tls/**',
    ],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      // Async event, message and timer callbacks here catch their own errors; the rule cannot see that.
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
    },
  },
  {
    rules: {
      // `_`-prefixed names are deliberate: unused parameters of a fixed signature, and fields
      // destructured away to leave the rest (`const { id: _id, ...rest } = row`).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
      // `let x; ...callbacks that check x...; x = await connect(...)`: const would throw if a callback ran first.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // NATS subject validation and ANSI-escape stripping match control characters on purpose.
      'no-control-regex': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ['**/*.cjs'],
    // CommonJS files load modules with require(); there is no other way.
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
