// What the packaged layout must be: the facts checked (in report order), the package lists they
// use, and what every fact check is given to look at.
import { type AsarEntry } from './asar-contents.js';

/** Production packages electron-builder.yml leaves out on purpose (ssh2 falls back to JS). */
export const EXCLUDED_ON_PURPOSE: readonly string[] = ['cpu-features', 'buildcheck', 'nan'];
/** Must never be in the app: build tools, the renderer's bundled libraries, the CLI's server. */
export const DEV_ONLY: readonly string[] = [
  'tsx',
  'esbuild',
  'react',
  'react-dom',
  'ws',
  'electron',
  'vite',
  'electron-vite',
  'playwright',
  '@playwright/test',
  'typescript',
  'vitest',
  'electron-builder',
];
/** Files the app cannot start without (electron-vite's output) and the manifest. */
export const APP_FILES = [
  'package.json',
  'out/main/index.js',
  'out/preload/index.cjs',
  'out/renderer/index.html',
];

/** Every check, in report order. */
export const FACT_IDS = [
  'build',
  'executable',
  'asar-top-level',
  'asar-app-files',
  'asar-package-json',
  'asar-node-modules',
  'asar-no-dev-packages',
  'asar-no-tests-or-sourcemaps',
  'no-native-builds',
  'ffmpeg-static-unpacked',
  'ffprobe-unpacked',
  'icon',
] as const;
export type FactId = (typeof FACT_IDS)[number];

export interface LayoutFact {
  readonly id: FactId;
  /** What the packaged app must be like, one line. */
  readonly rule: string;
  readonly ok: boolean;
  /** What was found; on failure, what is wrong. */
  readonly detail: string;
}

/** What the fact checks look at (the built app and its app.asar) and where they record a fact. */
export interface LayoutInspection {
  /** The project that was packaged. */
  readonly root: string;
  /** `<appOutDir>/resources`. */
  readonly resourcesDir: string;
  readonly asarPath: string;
  readonly entries: readonly AsarEntry[];
  readonly byPath: ReadonlyMap<string, AsarEntry>;
  /** The entries that are not folders. */
  readonly files: readonly AsarEntry[];
  readonly fact: (id: FactId, rule: string, ok: boolean, detail: string) => void;
  readonly progress: (line: string) => void;
}
