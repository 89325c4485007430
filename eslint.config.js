// ESLint flat config. The one architectural rule that matters most: the core
// (electron/core, electron/cli, scripts) never imports Electron, so it runs and
// is tested in plain Node against a real broker.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const noElectron = {
  'no-restricted-imports': [
    'error',
    {
      paths: [{ name: 'electron', message: 'The core is Electron-free: take what you need as an argument.' }],
      patterns: [{ group: ['electron/*', '**/electron/main/**', '**/electron/preload/**'], message: 'The core is Electron-free.' }],
    },
  ],
};

export default tseslint.config(
  { ignores: ['node_modules/', 'out/', 'dist/', 'release/', 'test-results/', '.kvs/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['electron/core/**', 'electron/host/**', 'electron/cli/**', 'electron/shared/**', 'scripts/**', 'renderer/**'],
    rules: noElectron,
  },
  {
    // The preload runs sandboxed: its require knows only electron, events, timers and url. It
    // imports electron and the dependency-free channel list, nothing else (the built file is
    // checked too: electron/preload/preload-bundle.test.ts).
    files: ['electron/preload/**/*.ts'],
    ignores: ['electron/preload/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!electron$|\\.\\./shared/ipc-channels\\.js$)',
              message: 'A sandboxed preload can require only electron, events, timers and url: import electron and ../shared/ipc-channels.js only.',
            },
          ],
        },
      ],
    },
  },
  {
    // sent to the page as text by the Electron stand-in: browser globals, one function expression
    files: ['scripts/test-support/electron-standin/page-world.js'],
    languageOptions: {
      globals: { window: 'readonly', crypto: 'readonly', structuredClone: 'readonly', MessageChannel: 'readonly', MessageEvent: 'readonly', location: 'readonly' },
    },
    rules: { '@typescript-eslint/no-unused-expressions': 'off' },
  },
  {
    files: ['**/*.mjs', 'bin/**'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
