/**
 * The BUILT main bundle (out/main/index.js) started in Node with the stand-in `electron` module
 * (scripts/test-support/electron-standin/), its BUILT preload run under the sandbox's rules, and
 * the real page in Chromium bound to what that preload exposed — the desktop app's own code
 * path, checked where only Electron's wiring decides: the window, the handlers, a call's round
 * trip to the real app services, the clean-up when a page goes (reload, crash) and when the app quits,
 * permissions, the CSP header, navigation and window.open. A stand-in, not Electron.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from '@playwright/test';
import { AssignerProtocol } from 'kafkajs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hasKafka, kafkaModes } from '../../scripts/test-support/kafka-env.js';
import { launchChromium } from '../../scripts/test-support/chromium.js';
import { StandinApp } from '../../scripts/test-support/electron-standin/standin-app.js';
import type { Query } from '../../scripts/test-support/electron-standin/protocol.js';
import { makeTestVideo } from '../../scripts/test-support/test-video.js';
import { createKafka } from '../core/kafka/client.js';
import { INVOKE_CHANNELS, IPC, type BridgeReply } from '../shared/ipc-channels.js';
import { secureWebPreferences } from './security.js';

const root = path.resolve(import.meta.dirname, '../..');
const built =
  existsSync(path.join(root, 'out/main/index.js')) &&
  existsSync(path.join(root, 'out/preload/index.cjs'));
const target = kafkaModes()[0];

let browser: Browser;
let dir: string;
const running: StandinApp[] = [];

async function start(
  env: Record<string, string> = {},
): Promise<{ app: StandinApp; page: Page; userData: string }> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const userData = await mkdtemp(path.join(dir, 'user-'));
  const app = await StandinApp.start({ page, env: { KVS_USER_DATA_DIR: userData, ...env } });
  running.push(app);
  return { app, page, userData };
}

/** A contract call from the page, through the bridge the preload exposed (reply as data). */
function bridgeCall(page: Page, channel: string, args: unknown): Promise<BridgeReply> {
  return page.evaluate(
    ([c, a]) =>
      (
        window as unknown as {
          kvsElectron: { calls: Record<string, (x: unknown) => Promise<BridgeReply>> };
        }
      ).kvsElectron.calls[c as string]!(a),
    [channel, args] as const,
  );
}

async function ok<T>(page: Page, channel: string, args: unknown): Promise<T> {
  const reply = await bridgeCall(page, channel, args);
  if (!reply.ok) throw new Error(`${channel}: ${reply.error.code} ${reply.error.message}`);
  return reply.result as T;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

beforeAll(async () => {
  if (!built) throw new Error('out/ is missing: run `npm run build` first (npm test does).');
  dir = await mkdtemp(path.join(os.tmpdir(), 'kvs-main-bundle-'));
  browser = await launchChromium({ fileAccess: true });
}, 60_000);

afterEach(async () => {
  for (const app of running.splice(0)) await app.close();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the built main bundle with the stand-in electron (electron .)', () => {
  it('makes one window with the secure preferences, a preload and a page that exist, and one handler per contract call', async () => {
    const { app, userData } = await start();
    const windows = await app.query<
      Array<{
        url: string;
        options: { webPreferences: { preload: string } & Record<string, unknown>; icon: string };
      }>
    >({ q: 'windows' });
    expect(windows).toHaveLength(1);
    const win = windows[0]!;
    const preload = win.options.webPreferences.preload;
    expect(win.options.webPreferences).toEqual(secureWebPreferences(preload));
    expect(preload).toBe(path.join(root, 'out/preload/index.cjs'));
    expect(existsSync(preload)).toBe(true);
    expect(win.url.startsWith('file://')).toBe(true);
    expect(existsSync(fileURLToPath(win.url))).toBe(true);
    expect(existsSync(win.options.icon)).toBe(true);
    const handlers = await app.query<string[]>({ q: 'handlers' });
    expect(handlers.sort()).toEqual(
      [IPC.hello, ...INVOKE_CHANNELS.map((c) => `${IPC.callPrefix}${c}`)].sort(),
    );
    // the preload loaded under the sandbox rules and exposed the bridge
    expect(app.loads[0]?.preloadError).toBeNull();
    expect(app.loads[0]?.required).toEqual(['electron']);
    // started as `electron .`: the product's name and the one user-data folder
    const info = await app.query<{ name: string; isPackaged: boolean; userData: string }>({
      q: 'app',
    });
    expect(info).toMatchObject({ name: 'Kafka Video Studio', isPackaged: false, userData });
  });

  it("a call's round trip reaches the real app services; an error arrives with its code", async () => {
    const { page } = await start();
    const status = await ok<{ state: string }>(page, 'connection:status', {});
    expect(status.state).toBe('disconnected');
    const refused = await bridgeCall(page, 'connection:connect', {
      bootstrap: 'PLAINTEXT://10.0.0.5:9092',
    });
    expect(refused).toMatchObject({ ok: false, error: { code: 'BOOTSTRAP_INVALID' } });
    const bad = await bridgeCall(page, 'watch:start', {
      viewerId: 'not ok!',
      topic: 'x',
      from: { kind: 'live' },
      pace: false,
    });
    expect(bad).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    // the page's own client (renderer/src/transport/electron-client.ts) turns it into a KvsCallError with the code:
    // the connect form shows the code's hint — typed by a person, as in the desktop app
    await page.getByTestId('bootstrap-input').fill('127.0.0.1:1');
    await page.getByTestId('connect-button').click();
    await expect
      .poll(() => page.getByTestId('connection-status').textContent(), { timeout: 30_000 })
      .toMatch(/127\.0\.0\.1:1/);
  });

  it('session rules: clipboard-write and a video-only camera only for the app page, every other permission refused; the CSP header only on the app page, with connect-src none', async () => {
    const { app } = await start();
    const [win] = await app.query<Array<{ url: string }>>({ q: 'windows' });
    const appUrl = win!.url;
    const ask = (
      q: 'permission-request' | 'permission-check',
      permission: string,
      requestingUrl: string,
      fromAppWindow = true,
    ) => app.query<boolean | string>({ q, permission, requestingUrl, fromAppWindow });
    for (const q of ['permission-request', 'permission-check'] as const) {
      expect(await ask(q, 'clipboard-sanitized-write', appUrl)).toBe(true);
      expect(await ask(q, 'clipboard-sanitized-write', 'https://example.com/')).toBe(false);
      expect(await ask(q, 'clipboard-sanitized-write', appUrl, false)).toBe(false);
      for (const other of [
        'media',
        'clipboard-read',
        'notifications',
        'geolocation',
        'openExternal',
        'fullscreen',
      ])
        expect(await ask(q, other, appUrl), `${q} ${other}`).toBe(false);
    }
    // a camera: Electron's media request carries details.mediaTypes, its check details.mediaType
    // (the stand-in passes them as shell/browser/web_contents_permission_helper.cc does)
    const media = (
      extra:
        { mediaTypes: Array<'video' | 'audio'> } | { mediaType: 'video' | 'audio' | 'unknown' },
      requestingUrl = appUrl,
      fromAppWindow = true,
    ) =>
      app.query<boolean | string>({
        q: 'mediaTypes' in extra ? 'permission-request' : 'permission-check',
        permission: 'media',
        requestingUrl,
        fromAppWindow,
        ...extra,
      } as Query);
    expect(await media({ mediaTypes: ['video'] })).toBe(true);
    expect(await media({ mediaType: 'video' })).toBe(true);
    expect(await media({ mediaTypes: ['audio', 'video'] })).toBe(false);
    expect(await media({ mediaTypes: ['audio'] })).toBe(false);
    expect(await media({ mediaTypes: [] })).toBe(false);
    expect(await media({ mediaType: 'audio' })).toBe(false);
    expect(await media({ mediaType: 'unknown' })).toBe(false);
    expect(await media({ mediaTypes: ['video'] }, 'https://example.com/')).toBe(false);
    expect(await media({ mediaTypes: ['video'] }, appUrl, false)).toBe(false);
    const headers = await app.query<Record<string, string[]> | null>({ q: 'headers', url: appUrl });
    expect(headers?.['X-Other']).toEqual(['1']);
    const csp = headers?.['Content-Security-Policy']?.[0] ?? '';
    expect(csp).toContain("connect-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(await app.query({ q: 'headers', url: 'https://example.com/x.js' })).toBeNull();
  });

  it('navigation and window.open: only the app page; allowlisted https links go to the browser', async () => {
    const { app } = await start();
    const [win] = await app.query<Array<{ url: string }>>({ q: 'windows' });
    for (const event of ['will-navigate', 'will-frame-navigate', 'will-redirect'] as const) {
      for (const url of [
        'file:///etc/passwd',
        'https://example.com/',
        'javascript:alert(1)',
        'data:text/html,x',
      ])
        expect(await app.query({ q: 'navigate', event, url }), `${event} ${url}`).toBe(true);
      expect(await app.query({ q: 'navigate', event, url: win!.url })).toBe(false);
    }
    expect(
      await app.query({ q: 'window-open', url: 'https://kafka.apache.org/documentation/' }),
    ).toEqual({ action: 'deny' });
    expect(await app.query({ q: 'window-open', url: 'file:///etc/passwd' })).toEqual({
      action: 'deny',
    });
    expect(await app.query({ q: 'opened-externally' })).toEqual([
      'https://kafka.apache.org/documentation/',
    ]);
  });

  it("a dev server in ELECTRON_RENDERER_URL is used by an unpackaged app (npm start); Electron's default menu stays", async () => {
    // nothing listens there; the window only has to be pointed at it
    const { app } = await start({ ELECTRON_RENDERER_URL: 'http://127.0.0.1:9/' });
    const [win] = await app.query<Array<{ url: string }>>({ q: 'windows' });
    expect(win!.url).toBe('http://127.0.0.1:9/');
    const menu = JSON.stringify(await app.query({ q: 'menu' }));
    expect(menu).toContain('toggleDevTools');
  }, 60_000);
});

describe.skipIf(!hasKafka())(
  `the built main bundle: pages that go and quitting (${target?.mode ?? 'no Kafka'})`,
  () => {
    const bootstrap = target?.bootstrap ?? '';
    let video = '';

    beforeAll(async () => {
      video = await makeTestVideo({
        dir,
        name: 'bundle clip.mp4',
        seconds: 2,
        width: 320,
        height: 180,
        fps: 10,
      });
    }, 60_000);

    /** Connect, then start a looping real-time job (a running ffmpeg) and a live viewer from the page. */
    async function busy(
      app: StandinApp,
      page: Page,
    ): Promise<{ jobId: string; viewerId: string; topic: string }> {
      const topic = `bundle-${randomBytes(3).toString('hex')}`;
      await ok(page, 'connection:connect', { bootstrap });
      await ok(page, 'topics:create', { topic });
      await app.answerNextDialog(video);
      const ref = await ok<{ videoId: string } | null>(page, 'video:choose', {});
      if (!ref) throw new Error('the dialog answer did not arrive');
      const { jobId } = await ok<{ jobId: string }>(page, 'produce:start', {
        videoId: ref.videoId,
        topic,
        realtime: true,
        loop: true,
        format: 'kvs',
      });
      const viewerId = `v${randomBytes(8).toString('hex')}`;
      await ok(page, 'watch:start', { viewerId, topic, from: { kind: 'live' }, pace: false });
      await expect
        .poll(
          async () =>
            (await app.query<Array<{ cmd: string }>>({ q: 'children' })).some((c) =>
              /ffmpeg/.test(c.cmd),
            ),
          { timeout: 20_000 },
        )
        .toBe(true);
      return { jobId, viewerId, topic };
    }

    async function released(app: StandinApp, jobId: string, viewerId: string): Promise<void> {
      const events = async () =>
        (await app.query<unknown[][]>({ q: 'sent', channel: IPC.event })).map(
          (args) => args[0] as { channel: string; payload: Record<string, unknown> },
        );
      await expect
        .poll(
          async () =>
            (await events()).some(
              (e) =>
                e.channel === 'produce:ended' &&
                e.payload.jobId === jobId &&
                e.payload.cancelled === true,
            ),
          { timeout: 30_000 },
        )
        .toBe(true);
      await expect
        .poll(
          async () =>
            (await events()).some(
              (e) =>
                e.channel === 'watch:stats' &&
                e.payload.viewerId === viewerId &&
                e.payload.state === 'stopped',
            ),
          { timeout: 30_000 },
        )
        .toBe(true);
      await expect
        .poll(
          async () =>
            (await app.query<Array<{ cmd: string }>>({ q: 'children' })).filter((c) =>
              /ffmpeg/.test(c.cmd),
            ),
          { timeout: 20_000 },
        )
        .toEqual([]);
    }

    it("a reload releases the page's viewers and jobs (ffmpeg ends); the new page gets a new client and the old one is refused", async () => {
      const { app, page } = await start();
      const { jobId, viewerId } = await busy(app, page);
      await app.reload();
      await released(app, jobId, viewerId);
      // the reloaded page works through its own client
      await expect.poll(() => page.getByTestId('bootstrap-input').isVisible()).toBe(true);
      expect((await ok<{ state: string }>(page, 'connection:status', {})).state).toBe('connected');
    }, 120_000);

    it('a crashed renderer releases them too (render-process-gone)', async () => {
      const { app, page } = await start();
      const { jobId, viewerId } = await busy(app, page);
      await app.crash();
      await released(app, jobId, viewerId);
    }, 120_000);

    it('quitting waits for the clean-up: ffmpeg is gone and the viewer has left its consumer group', async () => {
      const { app, page } = await start();
      const { topic } = await busy(app, page);
      const ffmpeg = (
        await app.query<Array<{ pid: number; cmd: string }>>({ q: 'children' })
      ).filter((c) => /ffmpeg/.test(c.cmd));
      expect(ffmpeg.length).toBeGreaterThan(0);
      const handle = createKafka({ bootstrap });
      const admin = handle.kafka.admin();
      await admin.connect();
      try {
        const groupOfTopic = async (): Promise<{ groupId: string; members: number } | null> => {
          const { groups } = await admin.listGroups();
          const ids = groups.map((g) => g.groupId).filter((g) => g.startsWith('kvs-viewer-'));
          if (ids.length === 0) return null;
          const described = await admin.describeGroups(ids);
          for (const g of described.groups)
            for (const m of g.members)
              if (AssignerProtocol.MemberMetadata.decode(m.memberMetadata)?.topics.includes(topic))
                return { groupId: g.groupId, members: g.members.length };
          return null;
        };
        await expect.poll(groupOfTopic, { timeout: 30_000 }).not.toBeNull();
        const group = (await groupOfTopic())!;
        expect(await app.quit()).toBe(0);
        const notices = await app.exitCode;
        expect(notices).toBe(0);
        for (const f of ffmpeg) expect(alive(f.pid), `ffmpeg ${f.pid} after quit`).toBe(false);
        const after = await admin.describeGroups([group.groupId]);
        expect(after.groups[0]?.members).toEqual([]);
      } finally {
        await admin.disconnect();
      }
    }, 120_000);
  },
);
