/**
 * The benchmark's window into the page (`npm run bench`, scripts/bench/). Only when the page
 * was opened with `#…&bench=1`: every drawn frame appends `{ seq, capturedAt, receivedAt, drawnAt }` to
 * `window.__kvsBench` (drawnAt = Date.now() right after drawImage; capturedAt = the frame's
 * capture-time header, when it left ffmpeg; receivedAt = when the service's consumer got it from
 * Kafka; all ms since epoch on this machine's clock; in a grid also `tile`, its index), at most BENCH_CAP entries (later frames are not
 * recorded). Without the flag the renderer gets no callback at all: nothing is recorded and no
 * work is done per frame.
 */
export interface BenchSample {
  readonly seq: number | null;
  readonly capturedAt: number | null;
  readonly receivedAt: number;
  readonly drawnAt: number;
  /** The grid tile (0-based) that drew it; absent for the first tile's viewer alone. */
  readonly tile?: number;
}

declare global {
  interface Window {
    __kvsBench?: BenchSample[];
  }
}

export const BENCH_CAP = 100_000;

export interface BenchTarget {
  __kvsBench?: BenchSample[];
}

export function benchRecorder(
  enabled: boolean,
  target: BenchTarget,
  /** The grid tile that records, asked at each frame (a viewer becomes a tile when the layout changes). */
  tileOf?: () => number | undefined,
):
  | ((seq: number | null, capturedAt: number | null, receivedAt: number, drawnAt: number) => void)
  | undefined {
  if (!enabled) return undefined;
  const samples = (target.__kvsBench ??= []);
  return (seq, capturedAt, receivedAt, drawnAt) => {
    // the benchmark may swap the array between runs: always push into the current one
    const list = target.__kvsBench ?? samples;
    const tile = tileOf?.();
    if (list.length < BENCH_CAP)
      list.push(
        tile === undefined
          ? { seq, capturedAt, receivedAt, drawnAt }
          : { seq, capturedAt, receivedAt, drawnAt, tile },
      );
  };
}
