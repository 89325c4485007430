/**
 * Frames from a live source (a network stream or a camera) that keep coming until stopped: one
 * ffmpeg process per connection (FfmpegFrameSource, the file machinery), and around it
 *
 * - a stall watch: no frame for `stallMs` (default 5 s) → the source is "stalled", the
 *   connection is dropped and made again;
 * - reconnects with back-off (1, 2, 4, 8, 16, 30, 30 … s; back to 1 s once frames flow again)
 *   after a stall, a drop (ffmpeg ended or failed), until stopped — the iterator goes on, so the
 *   producer's sequence numbers and stream id go on and frames stay in order in the topic;
 * - a status for every change (reading / stalled / reconnecting, reconnect count, last frame
 *   time, the error that caused it, its URL redacted);
 * - a source with a known duration (a recording, a finished playlist) ends at its end like a file.
 *
 * Frames are numbered across connections and stamped with the time since the start (ptsMs): a live
 * source has no timeline of its own. H.264 lowerRate() starts a new connection at the lower rate
 * (a live source cannot be read again from a frame, so that frame is skipped, not repeated).
 */
import { KvsError, toKvsError } from '../../shared/errors.js';
import type { LiveInput } from '../../shared/source-input.js';
import type { Frame } from '../frame.js';
import { FfmpegFrameSource } from './ffmpeg-frame-source.js';
import type { FrameCodec } from './frame-codec.js';
import { systemClock } from './frame-pacer.js';
import type {
  FrameSource,
  FrameSourceDeps,
  FrameSourceInfo,
  FrameSourceStats,
  PacerClock,
} from './frame-source.js';
import { liveSourceError, liveSourceLabel } from './live-errors.js';

export type LiveSourceState = 'reading' | 'stalled' | 'reconnecting';

export interface LiveStatus {
  readonly state: LiveSourceState;
  /** Connections made again since the start. */
  readonly reconnects: number;
  /** When the last frame came (ms since the epoch); null before the first. */
  readonly lastFrameAt: number | null;
  /** Why the source is not reading (stalled, dropped, refused …); null while reading. */
  readonly error: KvsError | null;
}

export const DEFAULT_STALL_MS = 5_000;
export const DEFAULT_BACKOFF_MS: readonly number[] = [1_000, 2_000, 4_000, 8_000, 16_000, 30_000];

export interface LiveSourceOptions {
  readonly signal?: AbortSignal | undefined;
  /** No frame for this long: stalled, reconnect. Default 5 s. */
  readonly stallMs?: number | undefined;
  /** Waits before each reconnect, the last one repeating. Default 1, 2, 4, 8, 16, 30 s. */
  readonly backoffMs?: readonly number[] | undefined;
  /** End after this many frames (default: until stopped). */
  readonly maxFrames?: number | undefined;
  /** The source has a duration: its end is the end (no reconnect). */
  readonly finite: boolean;
  readonly maxBufferedFrames?: number | undefined;
  readonly onStatus?: ((status: LiveStatus) => void) | undefined;
}

export interface LiveSourceDeps extends FrameSourceDeps {
  /** Wall-clock ms for lastFrameAt (tests). Default Date.now. */
  readonly wallNow?: () => number;
}

type Step =
  { kind: 'frame'; frame: Frame } | { kind: 'done' } | { kind: 'stall' } | { kind: 'stop' };

/** The back-off before reconnect number `attempt` (0-based): the list, its last value repeating. */
export function backoffDelay(
  attempt: number,
  backoff: readonly number[] = DEFAULT_BACKOFF_MS,
): number {
  if (backoff.length === 0) return 0;
  return backoff[Math.min(attempt, backoff.length - 1)] ?? 0;
}

export class LiveFrameSource implements FrameSource {
  cancelled = false;
  private finished = false;
  private readonly stopper = new AbortController();
  private pass: FfmpegFrameSource | undefined;
  private passes = 0;
  private handedOut = 0;
  private bytesBefore = 0;
  private restart = false;
  private reconnects = 0;
  private lastFrameAt: number | null = null;
  private state: LiveSourceState = 'reading';
  private readonly clock: PacerClock;
  private readonly generator: AsyncGenerator<Frame, undefined>;
  private readonly label: string;

  constructor(
    private readonly input: LiveInput,
    private readonly codec: FrameCodec,
    readonly info: FrameSourceInfo,
    private readonly opts: LiveSourceOptions,
    private readonly deps: LiveSourceDeps,
  ) {
    this.clock = deps.clock ?? systemClock;
    this.label = liveSourceLabel(input);
    if (opts.signal?.aborted) void this.cancel();
    else opts.signal?.addEventListener('abort', this.onAbort, { once: true });
    this.generator = this.frames();
  }

  get pid(): number | undefined {
    return this.pass?.pid;
  }

  get stats(): FrameSourceStats {
    const p = this.pass?.stats;
    return {
      buffered: p?.buffered ?? 0,
      maxBuffered: p?.maxBuffered ?? 0,
      frames: this.handedOut,
      passes: this.passes,
      bytesIn: this.bytesBefore + (p?.bytesIn ?? 0),
      garbageBytes: p?.garbageBytes ?? 0,
      pacingResyncs: 0,
    };
  }

  [Symbol.asyncIterator](): AsyncIterator<Frame> {
    return this.generator;
  }

  async cancel(): Promise<void> {
    if (!this.cancelled && !this.finished) {
      this.cancelled = true;
      this.opts.signal?.removeEventListener('abort', this.onAbort);
      this.stopper.abort();
    }
    await this.pass?.cancel();
  }

  lowerRate(): string | null {
    if (this.finished || this.cancelled || !this.pass) return null;
    const what = this.codec.lower();
    if (what !== null) this.restart = true;
    return what;
  }

  // ---------------------------------------------------------------------------------------------

  private readonly onAbort = (): void => void this.cancel();

  private setStatus(state: LiveSourceState, error: KvsError | null): void {
    this.state = state;
    this.opts.onStatus?.({
      state,
      reconnects: this.reconnects,
      lastFrameAt: this.lastFrameAt,
      error,
    });
  }

  /** The next step of a connection: a frame, its end, a stall, or a stop. */
  private async step(it: AsyncIterator<Frame>): Promise<Step> {
    if (this.stopper.signal.aborted) return { kind: 'stop' };
    const stallMs = this.opts.stallMs ?? DEFAULT_STALL_MS;
    const race = new AbortController();
    const stop = this.stopper.signal;
    const stopped = new Promise<Step>((resolve) => {
      const on = (): void => resolve({ kind: 'stop' });
      stop.addEventListener('abort', on, { once: true });
      race.signal.addEventListener('abort', () => stop.removeEventListener('abort', on), {
        once: true,
      });
    });
    const stall = this.clock.sleep(stallMs, race.signal).then(
      (): Step => ({ kind: 'stall' }),
      (): Step => ({ kind: 'stop' }), // never wins: the race is over when this sleep is aborted
    );
    const next = it
      .next()
      .then((r): Step => (r.done ? { kind: 'done' } : { kind: 'frame', frame: r.value }));
    try {
      return await Promise.race([next, stall, stopped]);
    } finally {
      race.abort();
      next.catch(() => undefined);
    }
  }

  private async *frames(): AsyncGenerator<Frame, undefined> {
    const start = this.clock.now();
    const wallNow = this.deps.wallNow ?? Date.now;
    let index = 0;
    let attempt = 0;
    try {
      for (;;) {
        const pass = new FfmpegFrameSource(
          this.label,
          this.codec,
          this.info,
          {
            realtime: false,
            loop: false,
            ...(this.opts.maxBufferedFrames
              ? { maxBufferedFrames: this.opts.maxBufferedFrames }
              : {}),
          },
          this.deps,
        );
        this.pass = pass;
        this.passes++;
        const it = pass[Symbol.asyncIterator]();
        let end: 'stall' | 'done' | 'failed' | 'restart' | 'stop' = 'done';
        let error: KvsError | null = null;
        try {
          for (;;) {
            const s = await this.step(it);
            if (s.kind === 'frame') {
              if (this.state !== 'reading') this.setStatus('reading', null);
              attempt = 0;
              this.lastFrameAt = wallNow();
              this.handedOut++;
              yield {
                ...s.frame,
                index,
                ptsMs: this.clock.now() - start,
                producedAt: this.clock.now(),
              };
              index++;
              if (this.opts.maxFrames !== undefined && index >= this.opts.maxFrames) {
                end = 'stop';
                break;
              }
              if (this.restart) {
                end = 'restart';
                break;
              }
              continue;
            }
            end = s.kind === 'stall' ? 'stall' : s.kind;
            break;
          }
        } catch (e) {
          const k = toKvsError(e);
          if (k.code === 'FFMPEG_NOT_FOUND') throw k;
          end = 'failed';
          error = liveSourceError(this.input, k.detail ?? k.message);
        } finally {
          this.bytesBefore += pass.stats.bytesIn;
          await pass.cancel();
        }
        if (end === 'stop' || this.stopper.signal.aborted) return undefined;
        if (end === 'done' && this.opts.finite) return undefined;
        if (end === 'restart') {
          this.restart = false;
          continue;
        }
        if (end === 'stall') {
          const secs = Math.round((this.opts.stallMs ?? DEFAULT_STALL_MS) / 100) / 10;
          this.setStatus(
            'stalled',
            new KvsError(
              'SOURCE_TIMEOUT',
              `${this.label} sent no frame for ${secs} s (stalled); connecting again.`,
            ),
          );
        } else {
          error ??= new KvsError(
            'SOURCE_FAILED',
            `${this.label} stopped sending (the stream ended); connecting again.`,
          );
          this.setStatus('reconnecting', error);
        }
        const wait = backoffDelay(attempt, this.opts.backoffMs);
        attempt++;
        try {
          await this.clock.sleep(wait, this.stopper.signal);
        } catch {
          return undefined;
        }
        this.reconnects++;
        this.setStatus(
          'reconnecting',
          error ?? new KvsError('SOURCE_TIMEOUT', `${this.label} stalled; connecting again.`),
        );
      }
    } finally {
      this.finished = true;
      this.opts.signal?.removeEventListener('abort', this.onAbort);
    }
  }
}
