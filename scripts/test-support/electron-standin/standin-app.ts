/**
 * The desktop app through its Electron code path, without Electron: the BUILT main bundle runs
 * in a child Node process with the stand-in `electron` module (main-process.ts), each window's
 * BUILT preload runs there under the sandbox's rules, and the real page runs in Chromium, bound
 * to exactly what that preload exposed (page-world.js). It is a stand-in, not Electron: what
 * only a real Electron shows is listed in docs/SECURITY.md.
 *
 * Used by the main-bundle tests (electron/main/main-bundle.int.test.ts), the packaged-layout
 * check and the `electron-standin` e2e project (e2e/fixtures.ts).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from '@playwright/test';
import type { ApiShape, Control, Encoded, FromMain, LoadInfo, Query, ToMain } from './protocol.js';

const here = import.meta.dirname;
const root = path.resolve(here, '../../..');

export interface StandinAppOptions {
  /** The built main bundle (out/main/index.js, or resources/app.asar/out/main/index.js). */
  readonly mainFile?: string;
  /** The app folder Electron would be started on (its package.json names the app). */
  readonly appPath?: string;
  readonly packaged?: boolean;
  readonly resourcesPath?: string;
  /** A fresh Playwright page of a Chromium that can open file:// pages. */
  readonly page: Page;
  readonly env?: Readonly<Record<string, string>>;
  /** Where stand-in main process output goes (default: the test's stderr). */
  readonly log?: (line: string) => void;
}

/**
 * The environment of an app a person started: the test runner's own markers are not in it
 * (vitest sets NODE_ENV=test, and kafkajs, for one, loads other defaults under it).
 */
function installedAppEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env))
    if (key === 'NODE_ENV' || key.startsWith('VITEST') || key === 'TEST') delete env[key];
  return env;
}

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
}

export class StandinApp {
  readonly loads: LoadInfo[] = [];
  /** The page's getUserMedia requests as the built main's permission handler answered them. */
  readonly mediaRequests: Array<{
    mediaTypes: string[];
    requestingUrl: string;
    granted: boolean | string;
  }> = [];
  readonly exitCode: Promise<number | null>;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private shape: string | null = null;
  private currentToken: string | null = null;
  private readonly staleTokens = new Set<string>();
  private deliveries: Promise<unknown> = Promise.resolve();
  private loadWaiters: Array<(info: LoadInfo) => void> = [];
  private exited = false;

  private constructor(
    private readonly child: ChildProcess,
    readonly page: Page,
    private readonly home: string,
    private readonly log: (line: string) => void,
  ) {
    this.exitCode = new Promise((resolve) =>
      child.once('exit', (code) => {
        this.exited = true;
        for (const p of this.pending.values())
          p.reject(new Error('the stand-in main process exited'));
        this.pending.clear();
        resolve(code);
      }),
    );
    child.on('message', (msg: FromMain) => this.onMessage(msg));
  }

  /** Start the app and wait until its first page is loaded in Chromium. */
  static async start(opts: StandinAppOptions): Promise<StandinApp> {
    const home = await mkdtemp(path.join(os.tmpdir(), 'kvs-standin-home-'));
    const log = opts.log ?? ((line) => process.stderr.write(`${line}\n`));
    const args = [
      '--main',
      opts.mainFile ?? path.join(root, 'out/main/index.js'),
      '--app-path',
      opts.appPath ?? root,
      '--home',
      home,
      ...(opts.packaged ? ['--packaged', '--resources', opts.resourcesPath ?? ''] : []),
    ];
    const child = fork(path.join(here, 'main-process.ts'), args, {
      execArgv: ['--import', 'tsx', '--import', path.join(here, 'register.mjs')],
      env: { ...installedAppEnv(), HOME: home, ...opts.env },
      serialization: 'advanced',
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      cwd: root,
    });
    for (const stream of [child.stdout, child.stderr])
      stream?.on('data', (d: Buffer) => {
        for (const line of d.toString('utf8').split('\n'))
          if (line.trim() !== '') log(`[stand-in main] ${line}`);
      });
    const app = new StandinApp(child, opts.page, home, log);
    await app.bindPage(opts.page.context());
    const first = await app.nextLoad(30_000);
    if (first.preloadError) log(`[stand-in] the preload failed to load: ${first.preloadError}`);
    return app;
  }

  // ---- what tests use -------------------------------------------------------------------------------

  query<T = unknown>(query: Query): Promise<T> {
    return this.request({ t: 'query', id: 0, query }) as Promise<T>;
  }

  control(control: Control): Promise<void> {
    return this.request({ t: 'control', id: 0, control }).then(() => undefined);
  }

  /** The next file dialog answers with this file (as a person picking it). */
  answerNextDialog(file: string): Promise<void> {
    return this.control({ c: 'dialog-answer', filePaths: [file] });
  }

  /** The next save dialog answers with this path, or is cancelled (null). */
  answerNextSaveDialog(file: string | null): Promise<void> {
    return this.control({ c: 'save-dialog-answer', filePath: file });
  }

  /** webContents.reload(): the renderer goes, the preload runs again, the page reloads. */
  async reload(): Promise<LoadInfo> {
    const next = this.nextLoad(30_000);
    await this.control({ c: 'reload' });
    return next;
  }

  /** The renderer crashes (render-process-gone); the page is left as it was, like a sad-tab. */
  crash(): Promise<void> {
    return this.control({ c: 'crash' });
  }

  /** app.quit(), then wait for the main process to end by itself. */
  async quit(limitMs = 30_000): Promise<number | null> {
    if (this.exited) return this.exitCode;
    await this.control({ c: 'quit' }).catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>(
      (resolve) => (timer = setTimeout(() => resolve('late'), limitMs)),
    );
    const how = await Promise.race([this.exitCode, late]);
    clearTimeout(timer);
    if (how === 'late')
      throw new Error(`the stand-in main process did not end within ${limitMs} ms of app.quit()`);
    return how;
  }

  /** Quit if still running, kill if it will not, and remove the stand-in's home folder. */
  async close(): Promise<void> {
    if (!this.exited) {
      await this.quit(20_000).catch((err: unknown) => {
        this.log(`[stand-in] ${String(err)}; killing it`);
        this.child.kill('SIGKILL');
      });
    }
    await rm(this.home, { recursive: true, force: true });
  }

  nextLoad(limitMs: number): Promise<LoadInfo> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no page load within ${limitMs} ms`)),
        limitMs,
      );
      this.loadWaiters.push((info) => {
        clearTimeout(timer);
        resolve(info);
      });
    });
  }

  // ---- plumbing -----------------------------------------------------------------------------------------

  private send(msg: ToMain): void {
    if (!this.exited) this.child.send(msg);
  }

  private request(msg: ToMain): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (this.exited) return reject(new Error('the stand-in main process has exited'));
      this.pending.set(id, { resolve, reject });
      this.send({ ...msg, id } as ToMain);
    });
  }

  /** Page evaluations in the order the main process sent them. */
  private deliver(fn: (page: Page) => Promise<unknown>): void {
    this.deliveries = this.deliveries
      .then(() => fn(this.page))
      .catch((err: unknown) => {
        // the page is navigating or closed: like a renderer that is gone, the message is lost
        if (!this.page.isClosed())
          this.log(`[stand-in] could not deliver to the page: ${String(err).split('\n')[0]}`);
      });
  }

  private async bindPage(context: BrowserContext): Promise<void> {
    await context.exposeBinding(
      '__kvsStandinCall',
      async (_source, token: string, p: string[], args: Encoded[]) => {
        if (this.staleTokens.has(token)) return new Promise(() => undefined); // a page that is gone never hears back
        this.currentToken = token;
        const wcId = this.loads.at(-1)?.wcId ?? 0;
        try {
          return { ok: true, value: await this.request({ t: 'call', id: 0, wcId, path: p, args }) };
        } catch (err) {
          return { ok: false, error: err instanceof Error ? err.message : String(err) };
        }
      },
    );
    await context.exposeBinding('__kvsStandinPortOut', (_source, portId: number, data: unknown) => {
      this.send({ t: 'port-out', portId, data });
    });
    // getUserMedia asks the built main's permission request handler first (media-permission.js);
    // with no handler Electron grants every request (docs/api/session.md)
    await context.exposeBinding(
      '__kvsStandinMediaRequest',
      async (_source, mediaTypes: Array<'video' | 'audio'>, requestingUrl: string) => {
        const answer = await this.query<boolean | string>({
          q: 'permission-request',
          permission: 'media',
          requestingUrl,
          fromAppWindow: true,
          mediaTypes,
        });
        this.mediaRequests.push({ mediaTypes: [...mediaTypes], requestingUrl, granted: answer });
        return answer === true || typeof answer === 'string';
      },
    );
  }

  private async onLoad(info: LoadInfo): Promise<void> {
    this.loads.push(info);
    const shape = JSON.stringify(info.exposed);
    if (this.shape === null) {
      this.shape = shape;
      const source = readFileSync(path.join(here, 'page-world.js'), 'utf8')
        .trim()
        .replace(/;$/, '');
      await this.page.addInitScript({
        content: `${source}(${JSON.stringify({ exposed: info.exposed satisfies Record<string, ApiShape> })});`,
      });
      await this.page.addInitScript({
        content: readFileSync(path.join(here, 'media-permission.js'), 'utf8'),
      });
    } else if (shape !== this.shape) {
      throw new Error(
        'the preload exposed a different API on this load; the stand-in binds one shape per page',
      );
    }
    await this.page.goto(info.url);
  }

  private onMessage(msg: FromMain): void {
    switch (msg.t) {
      case 'reply': {
        const p = this.pending.get(msg.id);
        if (!p) return;
        this.pending.delete(msg.id);
        if (msg.ok) p.resolve(msg.value);
        else p.reject(new Error(msg.error));
        return;
      }
      case 'load':
        this.deliver(async () => {
          try {
            await this.onLoad(msg.info);
          } finally {
            // a page that fails to load (a dev server that is not there) still was loaded
            for (const w of this.loadWaiters.splice(0)) w(msg.info);
          }
        });
        return;
      case 'unload':
        if (this.currentToken) this.staleTokens.add(this.currentToken);
        return;
      case 'window-message':
        this.deliver((page) =>
          page.evaluate(
            ({ data, portIds }) =>
              (window as unknown as StandinWindow).__kvsStandinPage.windowMessage(data, portIds),
            { data: msg.data, portIds: [...msg.portIds] },
          ),
        );
        return;
      case 'port-message':
        this.deliver((page) =>
          page.evaluate(
            ({ id, data }) =>
              (window as unknown as StandinWindow).__kvsStandinPage.portIn(id, data),
            { id: msg.portId, data: msg.data },
          ),
        );
        return;
      case 'page-fn':
        this.deliver((page) =>
          page.evaluate(
            ({ id, args }) =>
              (window as unknown as StandinWindow).__kvsStandinPage.callFn(id, args),
            { id: msg.fnId, args: [...msg.args] },
          ),
        );
        return;
      case 'log':
        this.log(msg.line);
        return;
    }
  }
}

/** What page-world.js puts on the page's window. */
interface StandinWindow {
  readonly __kvsStandinPage: {
    windowMessage(data: unknown, portIds: number[]): void;
    portIn(id: number, data: unknown): void;
    callFn(id: number, args: Encoded[]): void;
  };
}

/** Names of the stand-in's own globals on the page (not the app's). */
export const STANDIN_GLOBAL_PREFIX = '__kvsStandin';
