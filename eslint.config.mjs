// ESLint for the whole repository: `npm run lint`, run in .ci/run with zero findings.
// Rules that catch bugs: eslint's and typescript-eslint's recommended sets everywhere, and type-aware
// promise and throw rules on all TypeScript (the plugin's gRPC server, kubelet watch and NVML
// polling are async; so are the parity and e2e harnesses). Style is Prettier's job (.prettierrc.json):
// eslint-config-prettier, last, turns off every rule that Prettier owns.
// Where a rule fights a deliberate choice of the code it is configured here with the reason;
// the code carries no eslint-disable comments (an unused one is itself an error).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  {
    // Built or generated output, build folders of tests and the shared build cache (as in .gitignore).
    ignores: [
      '**/node_modules/',
      '.cache/',
      'lib/',
      'plugin/lib/',
      'out/',
      'dist/',
      'charts/',
      'coverage/',
      'test/.build/',
      'test/fixtures/fake-nvml/build/',
      '.device/',
    ],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Unused names are bugs; a leading underscore marks one kept on purpose (an interface's argument).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
      // `any` marks untyped JSON on purpose: jsii's `{ [key: string]: any }` props, cdk8s' `toJson(): any`,
      // the generic values walkers (`Fields<any>`) and the synthesized manifests that tests read by path.
      '@typescript-eslint/no-explicit-any': 'off',
      // Our errors fold the caught error's message (or a tool's stderr) into one message for people;
      // a `cause` would print it twice (pino's err serializer appends causes to the message).
      'preserve-caught-error': 'off',
    },
  },
  {
    // CommonJS files: jest configs, the test reporter, e2e setup, the image tool and the plugin's bin shim.
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['test/**/*.ts'],
    languageOptions: { globals: { ...globals.jest } },
    rules: {
      // Expected messages are matched with their literal indentation ("\n  - "); ' {2}' would hide it.
      'no-regex-spaces': 'off',
    },
  },
  {
    // Benchmark scripts register the nodenext resolver (bench/support/nodenext-resolve.ts) before they
    // load plugin sources, so those loads are require() calls that run in order, not hoisted imports.
    files: ['bench/**/*.ts'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The plugin loads prom-client only when /metrics is served (a lazy require of its metrics module).
    files: ['plugin/src/**/*.ts'],
    rules: { '@typescript-eslint/no-require-imports': ['error', { allow: ['metrics\\.js$'] }] },
  },
  {
    // Type-aware rules: a promise nobody awaits or catches loses its error (and a test that does not
    // await its assertion cannot fail). The plugin and its tests are checked with the plugin's nodenext
    // tsconfig; the constructs, the other tests and the benchmarks with tsconfig.dev.json.
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: {
        project: ['./plugin/tsconfig.test.json', './tsconfig.dev.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/return-await': ['error', 'in-try-catch'],
      '@typescript-eslint/only-throw-error': 'error',
      '@typescript-eslint/prefer-promise-reject-errors': 'error',
      '@typescript-eslint/no-for-in-array': 'error',
      '@typescript-eslint/no-implied-eval': 'error',
      '@typescript-eslint/no-array-delete': 'error',
    },
  },
  prettier,
);
