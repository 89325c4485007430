/**
 * Quitting waits for the clean-up. Electron does not wait for promises in `before-quit`
 * (docs/api/app.md: the event's default is to quit; `event.preventDefault()` stops it), so
 * the first `before-quit` is held back, the clean-up runs — viewers leave their consumer
 * groups, ffmpeg children are killed, SSH sessions close — for at most `limitMs`, and then the
 * app quits for real. No `electron` import: the app is passed in.
 */
export interface QuittingApp {
  on(event: 'before-quit', listener: (event: { preventDefault(): void }) => void): unknown;
  quit(): void;
}

export type QuitState = 'running' | 'cleaning' | 'done';

export function quitAfterCleanup(
  app: QuittingApp,
  cleanup: () => Promise<void>,
  limitMs: number,
  log: (line: string) => void = () => undefined,
): () => QuitState {
  let state: QuitState = 'running';
  app.on('before-quit', (event) => {
    if (state === 'done') return;
    event.preventDefault();
    if (state === 'cleaning') return;
    state = 'cleaning';
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), limitMs);
    });
    // a clean-up that throws at once is a failed clean-up like any other, never a stuck quit
    let cleaning: Promise<void>;
    try {
      cleaning = cleanup();
    } catch (err) {
      cleaning = Promise.reject(err);
    }
    void Promise.race([cleaning.then(() => 'done' as const), limit])
      .catch((err: unknown) => {
        log(
          `kvs: clean-up before quitting failed: ${err instanceof Error ? err.message : String(err)}`,
        );
        return 'done' as const;
      })
      .then((how) => {
        clearTimeout(timer);
        if (how === 'timeout')
          log(`kvs: clean-up before quitting took longer than ${limitMs} ms; quitting anyway`);
        state = 'done';
        app.quit();
      });
  });
  return () => state;
}
