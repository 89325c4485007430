/**
 * quitAfterCleanup (quit.ts): Electron does not wait for promises in `before-quit`, so the first
 * one is held back until the clean-up has run (or the limit has passed), then the app quits once.
 * The app is a small fake whose quit() emits `before-quit` again, as Electron's app.quit() does.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { quitAfterCleanup, type QuittingApp } from './quit.js';

type BeforeQuit = (event: { preventDefault(): void }) => void;

function fakeApp() {
  const listeners: BeforeQuit[] = [];
  /** Whether each before-quit so far was prevented, in order. */
  const prevented: boolean[] = [];
  let quits = 0;
  const emitBeforeQuit = (): boolean => {
    let wasPrevented = false;
    const event = { preventDefault: () => void (wasPrevented = true) };
    for (const l of [...listeners]) l(event);
    prevented.push(wasPrevented);
    return wasPrevented;
  };
  const app: QuittingApp = {
    on(name, listener) {
      expect(name).toBe('before-quit');
      listeners.push(listener);
      return app;
    },
    quit() {
      quits++;
      // Electron's app.quit() emits before-quit; if nobody prevents it, the app exits
      emitBeforeQuit();
    },
  };
  return {
    app,
    emitBeforeQuit,
    prevented,
    listeners,
    quits: () => quits,
  };
}

/** A promise the test settles by hand. */
function deferred() {
  let resolve: () => void = () => undefined;
  let reject: (err: unknown) => void = () => undefined;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('quitAfterCleanup', () => {
  it('registers one before-quit listener and quits nothing by itself', () => {
    const f = fakeApp();
    const state = quitAfterCleanup(f.app, () => Promise.resolve(), 60_000);
    expect(f.listeners).toHaveLength(1);
    expect(f.quits()).toBe(0);
    expect(state()).toBe('running');
  });

  it('prevents the first before-quit, waits for the clean-up, then quits once', async () => {
    const f = fakeApp();
    const cleanupDone = deferred();
    const cleanup = vi.fn(() => cleanupDone.promise);
    const log = vi.fn();
    const state = quitAfterCleanup(f.app, cleanup, 60_000, log);

    expect(f.emitBeforeQuit()).toBe(true);
    expect(cleanup).toHaveBeenCalledOnce();
    expect(state()).toBe('cleaning');
    // the clean-up is still running: no quit yet
    await new Promise((r) => setTimeout(r, 20));
    expect(f.quits()).toBe(0);

    cleanupDone.resolve();
    await vi.waitFor(() => expect(f.quits()).toBe(1));
    expect(state()).toBe('done');
    // the before-quit that app.quit() emitted went through
    expect(f.prevented).toEqual([true, false]);
    expect(cleanup).toHaveBeenCalledOnce();
    expect(log).not.toHaveBeenCalled();
  });

  it('prevents a second before-quit during the clean-up too, without running the clean-up twice', async () => {
    const f = fakeApp();
    const cleanupDone = deferred();
    const cleanup = vi.fn(() => cleanupDone.promise);
    quitAfterCleanup(f.app, cleanup, 60_000);

    expect(f.emitBeforeQuit()).toBe(true);
    // Cmd+Q pressed again, a second window-all-closed, …
    expect(f.emitBeforeQuit()).toBe(true);
    expect(f.emitBeforeQuit()).toBe(true);
    expect(cleanup).toHaveBeenCalledOnce();
    expect(f.quits()).toBe(0);

    cleanupDone.resolve();
    await vi.waitFor(() => expect(f.quits()).toBe(1));
    await new Promise((r) => setTimeout(r, 10));
    expect(f.quits()).toBe(1);
    expect(cleanup).toHaveBeenCalledOnce();
  });

  it('quits anyway, and says so, when the clean-up takes longer than the limit', async () => {
    vi.useFakeTimers();
    const f = fakeApp();
    const cleanupDone = deferred();
    const log = vi.fn();
    const state = quitAfterCleanup(f.app, () => cleanupDone.promise, 8_000, log);

    expect(f.emitBeforeQuit()).toBe(true);
    await vi.advanceTimersByTimeAsync(8_000);
    expect(f.quits()).toBe(1);
    expect(state()).toBe('done');
    expect(log).toHaveBeenCalledOnce();
    expect(log.mock.calls[0]?.[0]).toMatch(/took longer than 8000 ms; quitting anyway/);

    // the clean-up finishing late changes nothing
    cleanupDone.resolve();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(f.quits()).toBe(1);
    expect(log).toHaveBeenCalledOnce();
  });

  it('quits anyway when the clean-up never settles and no log is given', async () => {
    vi.useFakeTimers();
    const f = fakeApp();
    quitAfterCleanup(f.app, () => new Promise<void>(() => undefined), 100);
    expect(f.emitBeforeQuit()).toBe(true);
    await vi.advanceTimersByTimeAsync(100);
    expect(f.quits()).toBe(1);
  });

  it('quits, and logs the reason, when the clean-up rejects', async () => {
    const f = fakeApp();
    const log = vi.fn();
    const state = quitAfterCleanup(
      f.app,
      () => Promise.reject(new Error('consumer group would not leave')),
      60_000,
      log,
    );
    expect(f.emitBeforeQuit()).toBe(true);
    await vi.waitFor(() => expect(f.quits()).toBe(1));
    expect(state()).toBe('done');
    expect(log).toHaveBeenCalledOnce();
    expect(log.mock.calls[0]?.[0]).toMatch(/clean-up before quitting failed: consumer group/);
    expect(f.prevented).toEqual([true, false]);
  });

  it('logs a rejection that is not an Error too', async () => {
    const f = fakeApp();
    const log = vi.fn();
    quitAfterCleanup(f.app, () => Promise.reject('just a string'), 60_000, log);
    f.emitBeforeQuit();
    await vi.waitFor(() => expect(f.quits()).toBe(1));
    expect(log.mock.calls[0]?.[0]).toMatch(/just a string/);
  });

  it('once done, before-quit is never prevented again and the clean-up does not run again', async () => {
    const f = fakeApp();
    const cleanup = vi.fn(() => Promise.resolve());
    quitAfterCleanup(f.app, cleanup, 60_000);
    f.emitBeforeQuit();
    await vi.waitFor(() => expect(f.quits()).toBe(1));

    expect(f.emitBeforeQuit()).toBe(false);
    expect(f.emitBeforeQuit()).toBe(false);
    expect(cleanup).toHaveBeenCalledOnce();
    expect(f.quits()).toBe(1);
  });

  it('a clean-up that throws at once (not a rejected promise) still quits, and says why', async () => {
    const f = fakeApp();
    const log = vi.fn();
    const state = quitAfterCleanup(
      f.app,
      () => {
        throw new Error('app services already gone');
      },
      60_000,
      log,
    );
    expect(f.emitBeforeQuit()).toBe(true);
    await vi.waitFor(() => expect(f.quits()).toBe(1));
    expect(state()).toBe('done');
    expect(log.mock.calls[0]?.[0]).toMatch(
      /clean-up before quitting failed: app services already gone/,
    );
    expect(f.prevented).toEqual([true, false]);
  });
});
