// ESLint flat config. Besides the usual rules it enforces the layers (ARCHITECTURE.md, "Rooms"):
// who may import whom is checked here, per folder, so a wrong import fails `npm run lint` —
// and each runtime's globals are checked by its own tsconfig (`npm run typecheck`).
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
/** Node's built-in modules, with and without `node:`. */
const NODE = `^(node:.*|${builtinModules.map(escape).join('|')})(/.*)?$`;
/** An import of a folder of electron/ (relative, from anywhere in the project). */
const layer = (...names) => `(^|/)(\\.\\./)*(electron/)?(${names.join('|')})/`;

/**
 * One `no-restricted-imports` per room: ESLint keeps only the last setting of a rule for a file,
 * so each room lists everything it may not import. Tests are not production: they may reach
 * across (they start app services, brokers and pages).
 */
function room(files, forbidden) {
  return {
    files,
    ignores: ['**/*.test.ts', '**/*.test.tsx'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: forbidden.map(([regex, message]) => ({ regex, message })) },
      ],
    },
  };
}

const NO_ELECTRON = [
  '^electron(/.*)?$',
  'Only electron/main and electron/preload import Electron: take what you need as an argument.',
];

export default tseslint.config(
  { ignores: ['node_modules/', 'out/', 'dist/', 'release/', 'test-results/', '.kvs/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  // the rules of hooks, and the React Compiler's checks, for the page's components
  { files: ['renderer/**/*.{ts,tsx}'], ...reactHooks.configs.flat.recommended },
  {
    // Every finding is an error: no state set in an effect's body (derive it, or set it in a
    // subscription's callback), no ref read and no impure call during render.
    files: ['renderer/**/*.{ts,tsx}'],
    rules: {
      'react-hooks/exhaustive-deps': 'error',
      'react-hooks/set-state-in-effect': 'error',
      'react-hooks/refs': 'error',
      'react-hooks/purity': 'error',
    },
  },
  // shared: the contract and pure rules; it imports shared and zod, nothing else
  room(
    ['electron/shared/**'],
    [
      [
        '^(?!\\./|zod$)',
        'electron/shared imports only electron/shared (and zod): it runs in every layer.',
      ],
    ],
  ),
  // the core does the work; it knows nothing of who calls it
  room(
    ['electron/core/**'],
    [
      NO_ELECTRON,
      [
        layer('services', 'cli', 'main', 'preload', 'browser'),
        'The core may import only the core and electron/shared.',
      ],
      ['(^|/)(renderer|scripts)/', 'The core may import only the core and electron/shared.'],
    ],
  ),
  // the app services: the contract's work over the core; no transport, no Electron
  room(
    ['electron/services/**'],
    [
      NO_ELECTRON,
      [
        layer('cli', 'main', 'preload', 'browser'),
        'The app services may import the core and electron/shared only: the transports import them.',
      ],
      [
        '(^|/)(renderer|scripts)/',
        'The app services may import the core and electron/shared only.',
      ],
    ],
  ),
  // the CLI and the browser transport: adapters over the app services and the core
  room(
    ['electron/cli/**'],
    [
      NO_ELECTRON,
      [
        layer('main', 'preload'),
        'The CLI is not the desktop shell: import the services, the core or shared.',
      ],
      ['(^|/)renderer/', 'The CLI serves the built page; it does not import it.'],
    ],
  ),
  // the browser transport (kvs serve's server): an adapter over the app services, like Electron main
  room(
    ['electron/browser/**'],
    [
      NO_ELECTRON,
      [
        layer('cli', 'main', 'preload'),
        'The browser transport is an adapter over the app services: import the services, the core or shared.',
      ],
      ['(^|/)renderer/', 'The browser transport serves the built page; it does not import it.'],
    ],
  ),
  // Electron's main process: an adapter over the app services
  room(
    ['electron/main/**'],
    [
      [
        layer('cli', 'preload', 'browser'),
        'Electron main is an adapter over the app services: import the services, the core or shared.',
      ],
      ['(^|/)renderer/', 'Electron main loads the built page; it does not import it.'],
    ],
  ),
  // The preload runs sandboxed: its require knows only electron, events, timers and url. It
  // imports electron and the dependency-free channel list, nothing else (the built file is
  // checked too: electron/preload/preload-bundle.test.ts).
  room(
    ['electron/preload/**'],
    [
      [
        '^(?!electron$|\\.\\./shared/ipc-channels\\.js$)',
        'A sandboxed preload can require only electron, events, timers and url: import electron and ../shared/ipc-channels.js only.',
      ],
    ],
  ),
  // the page: the DOM, React, electron/shared — never Node, Electron or the Node-side layers
  room(
    ['renderer/**'],
    [
      NO_ELECTRON,
      [NODE, 'The page has no Node: this runs in a browser (and a sandboxed Electron window).'],
      [
        layer('core', 'services', 'cli', 'main', 'preload', 'browser'),
        'The page may import only electron/shared of electron/: talk to the app services through the contract.',
      ],
    ],
  ),
  // the project's scripts run in Node, outside the app: no Electron
  room(['scripts/**'], [NO_ELECTRON]),
  {
    // sent to the page as text by the Electron stand-in: browser globals, one function expression
    files: [
      'scripts/test-support/electron-standin/page-world.js',
      'scripts/test-support/electron-standin/media-permission.js',
    ],
    languageOptions: {
      globals: {
        window: 'readonly',
        crypto: 'readonly',
        structuredClone: 'readonly',
        MessageChannel: 'readonly',
        MessageEvent: 'readonly',
        navigator: 'readonly',
        DOMException: 'readonly',
        location: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-unused-expressions': 'off' },
  },
  {
    files: ['**/*.mjs', 'bin/**'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
  {
    files: ['eslint.config.js'],
    languageOptions: { globals: { process: 'readonly' } },
  },
);
