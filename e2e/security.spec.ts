/**
 * The security checklist (../shared/reference/security-checklist.md) in the running app, from the
 * page's side: no Node in the page, a bridge of functions only, the Content-Security-Policy
 * blocking inline script and eval, and navigation away from the app refused. These run in both
 * projects. The rows that need the Electron main process (every window's web preferences,
 * window.open, will-navigate) are in the "Electron main process" block: in the browser project they
 * are skipped as Electron-only; in the electron project the fixture skips them where the binary is
 * missing, like every other spec. docs/SECURITY.md maps each row to these tests.
 */
import type { ElectronApplication, Page } from '@playwright/test';
import { invoke } from '../electron/shared/contract.js';
import { STANDIN_GLOBAL_PREFIX } from '../scripts/test-support/electron-standin/standin-app.js';
import { expect, test, type AppUnderTest } from './fixtures.js';

declare global {
  interface Window {
    __kvsInline?: number;
    __kvsOnerror?: number;
    __kvsJsUrl?: number;
    __kvsMarker?: number;
  }
}

/** The app is still the page: the connect form is there and the page's JS context survived. */
async function expectStillTheApp(page: Page, url: string): Promise<void> {
  expect(page.url()).toBe(url);
  await expect(page.getByTestId('bootstrap-input')).toBeVisible();
  expect(await page.evaluate(() => window.__kvsMarker)).toBe(1);
  expect(await page.evaluate(() => document.body.innerText)).not.toContain('root:');
}

/** Record every will-navigate of every window in main, after the app's own listener has run. */
async function recordNavigations(electronApp: ElectronApplication): Promise<void> {
  await electronApp.evaluate(({ BrowserWindow }) => {
    const g = globalThis as unknown as { __kvsNavigations?: string[] };
    if (g.__kvsNavigations) return;
    const seen: string[] = [];
    g.__kvsNavigations = seen;
    // the URL is on the event since Electron 25 (the second argument is deprecated)
    for (const w of BrowserWindow.getAllWindows())
      w.webContents.on('will-navigate', (e, url) => seen.push((e as { url?: string }).url ?? url));
  });
}

function navigationsSeen(electronApp: ElectronApplication): Promise<string[]> {
  return electronApp.evaluate(
    () => (globalThis as unknown as { __kvsNavigations?: string[] }).__kvsNavigations ?? [],
  );
}

/** Click a link the page did not have (as injected markup would), and wait for the app's answer. */
async function clickInjectedLink(app: AppUnderTest, href: string): Promise<void> {
  const { page } = app;
  await page.evaluate((h) => {
    const a = document.createElement('a');
    a.href = h;
    a.id = 'kvs-e2e-link';
    a.textContent = 'injected link';
    a.style.cssText = 'position:fixed;top:0;left:0;z-index:99999;background:#fff';
    document.body.append(a);
  }, href);
  if (app.standin) {
    // The stand-in's page is plain Chromium: it does not ask main before navigating, as Electron
    // does. So ask the built main bundle's own will-navigate listener, as Electron would: it must
    // refuse. (A real Electron run then also shows the page staying put: the electron project.)
    expect(await app.standin.query({ q: 'navigate', event: 'will-navigate', url: href })).toBe(
      true,
    );
  } else if (app.electronApp) {
    const electronApp = app.electronApp;
    await recordNavigations(electronApp);
    await page.locator('#kvs-e2e-link').click();
    // main saw the navigation (its own will-navigate listener ran first and refused it)
    await expect.poll(() => navigationsSeen(electronApp)).toContain(href);
    await expect
      .poll(() =>
        electronApp.evaluate(({ BrowserWindow }) =>
          BrowserWindow.getAllWindows().some((w) => w.webContents.isLoading()),
        ),
      )
      .toBe(false);
  } else {
    // Chromium refuses a file: link from an http: page and says so on the console
    const refused = page.waitForEvent(
      'console',
      (m) => m.text().includes('Not allowed to load local resource') && m.text().includes(href),
    );
    await page.locator('#kvs-e2e-link').click();
    await refused;
  }
  await page.evaluate(() => document.getElementById('kvs-e2e-link')?.remove());
}

test.describe('the page (both projects)', () => {
  test('reaches no Node: require, process, module and Buffer are undefined', async ({ app }) => {
    const types = await app.page.evaluate(() => ({
      require: typeof (globalThis as Record<string, unknown>).require,
      process: typeof (globalThis as Record<string, unknown>).process,
      module: typeof (globalThis as Record<string, unknown>).module,
      Buffer: typeof (globalThis as Record<string, unknown>).Buffer,
      __dirname: typeof (globalThis as Record<string, unknown>).__dirname,
    }));
    expect(types).toEqual({
      require: 'undefined',
      process: 'undefined',
      module: 'undefined',
      Buffer: 'undefined',
      __dirname: 'undefined',
    });
  });

  test('adds no global but the bridge, and the bridge holds only functions', async ({ app }) => {
    const { page } = app;
    // the globals the app page has beyond a blank frame of the same origin
    const extra = await page.evaluate(() => {
      const frame = document.createElement('iframe');
      document.body.append(frame);
      const blank = new Set(Object.getOwnPropertyNames(frame.contentWindow ?? {}));
      frame.remove();
      return Object.getOwnPropertyNames(window).filter((n) => !blank.has(n));
    });
    const bridge = await page.evaluate(() => {
      const api = (window as unknown as { kvsElectron?: Record<string, unknown> }).kvsElectron;
      if (api === undefined) return null;
      const describe = (v: unknown): unknown =>
        typeof v === 'function'
          ? 'function'
          : v !== null && typeof v === 'object'
            ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, describe(x)]))
            : v;
      return describe(api) as Record<string, unknown>;
    });
    // zod keeps its global config and schema registry on globalThis: data, no way into the app services;
    // the electron-standin project's own plumbing (Playwright bindings) is not the app's
    const ours = extra.filter(
      (n) => !/^__zod_global(Config|Registry)$/.test(n) && !n.startsWith(STANDIN_GLOBAL_PREFIX),
    );
    if (app.transport === 'browser') {
      // the browser transport keeps its WebSocket inside the bundle: nothing on window
      expect(ours).toEqual([]);
      expect(bridge).toBeNull();
      return;
    }
    expect(ours).toEqual(['kvsElectron']);
    expect(bridge).toEqual({
      transport: 'electron',
      calls: Object.fromEntries(Object.keys(invoke).map((c) => [c, 'function'])),
      onEvent: 'function',
      requestFramePort: 'function',
    });
  });

  test('runs no injected inline script: a <script> element and an onerror= attribute are blocked by the CSP', async ({
    app,
  }) => {
    const result = await app.page.evaluate(async () => {
      // one report per policy that refuses it (kvs serve sends a header and the page has a meta tag)
      const violations = new Set<string>();
      const bothSeen = new Promise<void>((resolve) => {
        document.addEventListener('securitypolicyviolation', (e) => {
          violations.add(`${e.effectiveDirective} ${e.blockedURI}`);
          if (violations.has('script-src-elem inline') && violations.has('script-src-attr inline'))
            resolve();
        });
      });
      const script = document.createElement('script');
      script.textContent = 'window.__kvsInline = 1;';
      document.head.append(script);
      const holder = document.createElement('div');
      holder.innerHTML = '<img src="data:image/png;base64,AAAA" onerror="window.__kvsOnerror = 1">';
      document.body.append(holder);
      await bothSeen;
      holder.remove();
      script.remove();
      return {
        inline: window.__kvsInline,
        onerror: window.__kvsOnerror,
        violations: [...violations].sort(),
      };
    });
    expect(result.inline).toBeUndefined();
    expect(result.onerror).toBeUndefined();
    expect(result.violations).toEqual(['script-src-attr inline', 'script-src-elem inline']);
  });

  test("refuses eval and new Function (no 'unsafe-eval')", async ({ app }) => {
    // Code run by page.evaluate itself is exempt (DevTools' allowUnsafeEvalBlockedByCSP), so the
    // attempts run in a task of the page's own, as page script would.
    const result = await app.page.evaluate(
      () =>
        new Promise<{ eval: string; Function: string }>((resolve) =>
          setTimeout(() => {
            const attempt = (f: () => unknown): string => {
              try {
                return `ran: ${String(f())}`;
              } catch (e) {
                return (e as Error).name;
              }
            };
            resolve({
              eval: attempt(() => (0, eval)('1')),
              Function: attempt(() => new Function('return 1')()),
            });
          }, 0),
        ),
    );
    expect(result).toEqual({ eval: 'EvalError', Function: 'EvalError' });
  });

  test('connects nowhere but its own origin: a WebSocket or fetch to another origin is refused by the CSP', async ({
    app,
  }) => {
    // 127.0.0.1:9 (discard): another origin on this machine; the CSP refuses before any traffic
    const result = await app.page.evaluate(async () => {
      const violations: string[] = [];
      document.addEventListener('securitypolicyviolation', (e) =>
        violations.push(`${e.effectiveDirective} ${e.blockedURI}`),
      );
      let ws = 'opened';
      try {
        const socket = new WebSocket('ws://127.0.0.1:9/');
        ws = await new Promise<string>((resolve) => {
          socket.onerror = () => resolve('error');
          socket.onopen = () => resolve('opened');
        });
      } catch (e) {
        ws = (e as Error).name;
      }
      let fetched = 'fetched';
      try {
        await fetch('http://127.0.0.1:9/');
      } catch (e) {
        fetched = (e as Error).name;
      }
      await new Promise((r) => setTimeout(r, 50));
      return { ws, fetched, violations: violations.sort() };
    });
    expect(result.ws).not.toBe('opened');
    expect(result.fetched).toBe('TypeError');
    expect(result.violations).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^connect-src http:\/\/127\.0\.0\.1:9/),
        expect.stringMatching(/^connect-src ws:\/\/127\.0\.0\.1:9/),
      ]),
    );
  });

  test('a file: link does not load: the page stays the app', async ({ app }) => {
    const { page } = app;
    const url = page.url();
    await page.evaluate(() => (window.__kvsMarker = 1));
    await clickInjectedLink(app, 'file:///etc/passwd');
    await expectStillTheApp(page, url);
  });

  test('a javascript: link runs nothing: the CSP refuses it and the page stays the app', async ({
    app,
  }) => {
    const { page } = app;
    const url = page.url();
    await page.evaluate(() => {
      window.__kvsMarker = 1;
      const a = document.createElement('a');
      a.href = 'javascript:window.__kvsJsUrl = 1; void 0';
      a.id = 'kvs-e2e-js-link';
      a.textContent = 'injected javascript: link';
      a.style.cssText = 'position:fixed;top:0;left:0;z-index:99999;background:#fff';
      document.body.append(a);
      const w = window as unknown as { __kvsViolation?: Promise<string> };
      w.__kvsViolation = new Promise((resolve) =>
        document.addEventListener(
          'securitypolicyviolation',
          (e) => resolve(`${e.effectiveDirective} ${e.blockedURI}`),
          { once: true },
        ),
      );
    });
    await page.locator('#kvs-e2e-js-link').click();
    const violation = await page.evaluate(
      () => (window as unknown as { __kvsViolation?: Promise<string> }).__kvsViolation,
    );
    expect(violation).toBe('script-src-elem inline');
    expect(await page.evaluate(() => window.__kvsJsUrl)).toBeUndefined();
    await page.evaluate(() => document.getElementById('kvs-e2e-js-link')?.remove());
    await expectStillTheApp(page, url);
  });
});

test.describe('the Electron main process (electron project only)', () => {
  // eslint-disable-next-line no-empty-pattern -- Playwright reads fixture dependencies from this pattern
  test.beforeEach(({}, testInfo) => {
    // runs before the app fixture, so the browser project starts nothing for these
    testInfo.skip(
      testInfo.project.name !== 'electron',
      'Electron-only: needs the main process (the browser project has no BrowserWindow or will-navigate; the electron-standin project checks these rows on the built main bundle in electron/main/main-bundle.int.test.ts).',
    );
  });

  const mainOf = (app: AppUnderTest): ElectronApplication => {
    if (!app.electronApp) throw new Error('the electron project gives the fixture an electronApp');
    return app.electronApp;
  };

  test('every window has contextIsolation, sandbox and no Node integration', async ({ app }) => {
    const prefs = await mainOf(app).evaluate(({ BrowserWindow }) =>
      BrowserWindow.getAllWindows().map((w) => {
        const wc = w.webContents as unknown as {
          getLastWebPreferences?: () => Record<string, unknown> | null;
        };
        if (typeof wc.getLastWebPreferences !== 'function')
          throw new Error('webContents.getLastWebPreferences() is gone from this Electron');
        const p = wc.getLastWebPreferences() ?? {};
        return {
          contextIsolation: p.contextIsolation,
          sandbox: p.sandbox,
          nodeIntegration: p.nodeIntegration,
          nodeIntegrationInSubFrames: p.nodeIntegrationInSubFrames,
          webviewTag: p.webviewTag,
        };
      }),
    );
    expect(prefs.length).toBeGreaterThan(0);
    for (const p of prefs) {
      expect(p).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false });
      // reported by some Electron versions only; never on
      expect(p.nodeIntegrationInSubFrames).not.toBe(true);
      expect(p.webviewTag).not.toBe(true);
    }
  });

  test('window.open opens no window; only an allowlisted https link goes to the browser', async ({
    app,
  }) => {
    const electronApp = mainOf(app);
    const { page } = app;
    await electronApp.evaluate(({ shell }) => {
      const g = globalThis as unknown as { __kvsOpened?: string[] };
      g.__kvsOpened = [];
      shell.openExternal = (url: string) => {
        g.__kvsOpened?.push(url);
        return Promise.resolve();
      };
    });
    const windowsBefore = await electronApp.evaluate(
      ({ BrowserWindow }) => BrowserWindow.getAllWindows().length,
    );
    const returned = await page.evaluate(() =>
      [
        'https://evil.example/',
        'file:///etc/passwd',
        'javascript:alert(1)',
        'https://kafka.apache.org/',
      ].map((u) => window.open(u) === null),
    );
    expect(returned).toEqual([true, true, true, true]);
    // the allowlisted link reached shell.openExternal: every window.open above has been decided
    await expect
      .poll(() =>
        electronApp.evaluate(
          () => (globalThis as unknown as { __kvsOpened?: string[] }).__kvsOpened,
        ),
      )
      .toEqual(['https://kafka.apache.org/']);
    expect(
      await electronApp.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length),
    ).toBe(windowsBefore);
    expect(electronApp.windows()).toHaveLength(1);
  });

  test('will-navigate to another site is refused: the URL does not change', async ({ app }) => {
    const electronApp = mainOf(app);
    const { page } = app;
    const url = page.url();
    await page.evaluate(() => (window.__kvsMarker = 1));
    await recordNavigations(electronApp);
    await page.evaluate(() => {
      window.location.href = 'https://evil.example/';
    });
    await expect.poll(() => navigationsSeen(electronApp)).toContain('https://evil.example/');
    await expect
      .poll(() =>
        electronApp.evaluate(({ BrowserWindow }) =>
          BrowserWindow.getAllWindows().some((w) => w.webContents.isLoading()),
        ),
      )
      .toBe(false);
    await expectStillTheApp(page, url);
  });
});
