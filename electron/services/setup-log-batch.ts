/**
 * The live log of a setup run, batched for the page: lines go out at most every LOG_FLUSH_MS, at
 * most MAX_LOG_BATCH a batch, each line cut at 2000 characters; `flush()` before a step's status so
 * that a step's lines arrive before it is shown done. Lines are kept per source (a cluster run's
 * server, or this computer), so a batch never mixes servers.
 */
const LOG_FLUSH_MS = 100;
const MAX_LOG_BATCH = 500;
const MAX_LINE = 2000;

export interface LogBatch<K> {
  add(key: K, line: string): void;
  flush(): void;
  /** Drops what is pending and stops the timer (the run is over). */
  close(): void;
}

export function createLogBatch<K>(emit: (key: K, lines: string[]) => void): LogBatch<K> {
  let pending: { key: K; lines: string[] }[] = [];
  let count = 0;
  let timer: NodeJS.Timeout | null = null;
  const flush = (): void => {
    if (timer) clearTimeout(timer);
    timer = null;
    const out = pending;
    pending = [];
    count = 0;
    for (const b of out)
      for (let i = 0; i < b.lines.length; i += MAX_LOG_BATCH)
        emit(b.key, b.lines.slice(i, i + MAX_LOG_BATCH));
  };
  return {
    add(key, line) {
      const cut = line.length > MAX_LINE ? `${line.slice(0, MAX_LINE)}…` : line;
      const last = pending[pending.length - 1];
      if (last !== undefined && last.key === key) last.lines.push(cut);
      else pending.push({ key, lines: [cut] });
      count += 1;
      if (count >= MAX_LOG_BATCH) flush();
      else timer ??= setTimeout(flush, LOG_FLUSH_MS);
    },
    flush,
    close() {
      pending = [];
      count = 0;
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
