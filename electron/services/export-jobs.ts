/**
 * Export jobs: a time range of one stream of a topic written to an MP4 file (core
 * exportStream), with throttled export:progress events and one export:ended event. A job belongs
 * to the page that started it (its client), like a produce job.
 *
 * Where the file goes is the adapter's business, passed in:
 * - Desktop: `chooseFile` (Electron's save dialog, which has asked about replacing an existing
 *   file, so the export replaces it). A cancelled dialog starts nothing: CANCELLED.
 * - Browser (`kvs serve`): the file is written on the computer running the server, into
 *   `downloadsDir/<exportId>/`, and export:ended carries the path that downloads it once
 *   (`EXPORT_DOWNLOAD_PREFIX<exportId>`). A file is removed once downloaded, after
 *   `keep.ms`, or when more than `keep.files` files / `keep.bytes` bytes wait (oldest first;
 *   the newest always waits for its download). The folder is emptied at start and on dispose.
 */
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { ExportEndedEvent, ExportProgressEvent, ExportRequest } from '../shared/contract.js';
import { KvsError, toKvsError } from '../shared/errors.js';
import {
  exportStream,
  type ExportOptions,
  type ExportResult,
} from '../core/export/export-stream.js';
import { locateFfmpeg, type FfmpegPaths } from '../core/ffmpeg/locate-ffmpeg.js';
import type { KafkaHandle } from '../core/kafka/client.js';
import type { CallContext } from './app-services.js';
import type { ConnectionService } from './connection-service.js';
import { errorPayload } from './error-payload.js';
import type { EventBus } from './event-bus.js';
import { STATS_INTERVAL_MS } from './limits.js';
import { newId } from './video-registry.js';

/** The browser's download route: GET `<prefix><exportId>`. */
export const EXPORT_DOWNLOAD_PREFIX = '/exports/';
/** Exports running at once (each is one ffmpeg and one consumer). */
export const MAX_EXPORTS = 2;
/** Browser: what waits for download at most. */
export const DEFAULT_KEEP = { files: 4, bytes: 2 * 1024 ** 3, ms: 15 * 60_000 } as const;

export interface ExportJobsDeps {
  readonly connection: Pick<ConnectionService, 'require'>;
  readonly emit: EventBus['emit'];
  /** Monotonic ms, for throttling. */
  readonly now: () => number;
  readonly ffmpeg?: FfmpegPaths | undefined;
  /** Desktop: where to save (a save dialog that asked about replacing); null: cancelled. */
  readonly chooseFile?: ((defaultName: string) => Promise<string | null>) | undefined;
  /** Browser: the folder where finished files wait for their download. */
  readonly downloadsDir?: string | undefined;
  readonly keep?: { readonly files: number; readonly bytes: number; readonly ms: number };
  /** Wall clock (ms since the epoch) for the default file name. Default Date.now. */
  readonly clock?: () => number;
  /** The export itself (tests pass a fake). Default core exportStream. */
  readonly run?: (handle: KafkaHandle, opts: ExportOptions) => Promise<ExportResult>;
}

export interface ExportJobs {
  start(req: ExportRequest, ctx: CallContext): Promise<{ exportId: string }>;
  cancel(args: { readonly exportId: string }): Promise<Record<string, never>>;
  /** Cancel the exports this client started. */
  release(client: string): Promise<void>;
  stopAll(): Promise<void>;
  /** Browser: the finished file of an export while it waits for its download, else null. */
  download(exportId: string): { readonly file: string; readonly name: string } | null;
  /** The file was downloaded (or the download failed for good): remove it. */
  downloaded(exportId: string): Promise<void>;
  /** Cancel everything and remove every waiting file. */
  dispose(): Promise<void>;
}

interface Running {
  readonly client: string | null;
  readonly controller: AbortController;
  readonly ended: Promise<void>;
}

interface Waiting {
  readonly id: string;
  readonly dir: string;
  readonly file: string;
  readonly name: string;
  readonly bytes: number;
  readonly timer: NodeJS.Timeout;
}

/** `<topic>-<YYYY-MM-DD_HH-MM-SS>.mp4` (UTC) at the range's start, or now. */
export function defaultExportName(topic: string, ms: number): string {
  const t = new Date(ms).toISOString().slice(0, 19).replace('T', '_').replaceAll(':', '-');
  return `${topic}-${t}.mp4`;
}

export function createExportJobs(deps: ExportJobsDeps): ExportJobs {
  const { emit, now } = deps;
  const keep = deps.keep ?? DEFAULT_KEEP;
  const clock = deps.clock ?? Date.now;
  const run = deps.run ?? exportStream;
  const running = new Map<string, Running>();
  const waiting = new Map<string, Waiting>();
  // files of an earlier run that were never downloaded
  const cleared = deps.downloadsDir
    ? rm(deps.downloadsDir, { recursive: true, force: true }).catch(() => undefined)
    : Promise.resolve();
  let disposed = false;

  async function forget(id: string): Promise<void> {
    const w = waiting.get(id);
    if (!w) return;
    waiting.delete(id);
    clearTimeout(w.timer);
    await rm(w.dir, { recursive: true, force: true }).catch(() => undefined);
  }

  /** Oldest first, until the caps hold; the newest always stays. */
  async function evict(): Promise<void> {
    const all = [...waiting.values()];
    let bytes = all.reduce((n, w) => n + w.bytes, 0);
    let files = all.length;
    for (const w of all.slice(0, -1)) {
      if (files <= keep.files && bytes <= keep.bytes) break;
      files--;
      bytes -= w.bytes;
      await forget(w.id);
    }
  }

  /** Where this export writes, and whether it may replace; null: the person cancelled. */
  async function destination(
    exportId: string,
    name: string,
  ): Promise<{ out: string; force: boolean; dir: string | null } | null> {
    if (deps.chooseFile) {
      const picked = await deps.chooseFile(name);
      // the save dialog asked about replacing an existing file
      return picked === null ? null : { out: picked, force: true, dir: null };
    }
    if (deps.downloadsDir !== undefined) {
      await cleared;
      const dir = path.join(deps.downloadsDir, exportId);
      await mkdir(dir, { recursive: true });
      return { out: path.join(dir, name), force: false, dir };
    }
    throw new KvsError('INVALID_ARGUMENT', 'Exporting is not available here.');
  }

  async function start(req: ExportRequest, ctx: CallContext): Promise<{ exportId: string }> {
    if (disposed) throw new KvsError('CANCELLED', 'The app is shutting down.');
    const { handle } = deps.connection.require();
    if (running.size >= MAX_EXPORTS)
      throw new KvsError(
        'INVALID_ARGUMENT',
        `At most ${MAX_EXPORTS} exports can run at once. Wait for one to finish or cancel it.`,
      );
    const exportId = newId();
    const name = defaultExportName(req.topic, req.fromMs ?? clock());
    const where = await destination(exportId, name);
    if (where === null) throw new KvsError('CANCELLED', 'No file was chosen: nothing exported.');
    const ffmpeg = deps.ffmpeg ?? (await locateFfmpeg());
    const controller = new AbortController();

    let progress: ExportProgressEvent = { exportId, frames: 0, share: 0 };
    let lastSent = -Infinity;
    const sendProgress = (force: boolean): void => {
      const t = now();
      if (!force && t - lastSent < STATS_INTERVAL_MS) return;
      lastSent = t;
      emit('export:progress', progress);
    };

    const work = async (): Promise<ExportEndedEvent> => {
      try {
        const r = await run(handle, {
          topic: req.topic,
          ...(req.streamId != null ? { streamId: req.streamId } : {}),
          range: {
            ...(req.fromMs !== undefined ? { fromMs: req.fromMs } : {}),
            ...(req.toMs !== undefined ? { toMs: req.toMs } : {}),
          },
          out: where.out,
          force: where.force || req.force === true,
          ffmpegPath: ffmpeg.ffmpegPath,
          signal: controller.signal,
          onProgress: (p) => {
            progress = { exportId, frames: p.frames, share: p.share };
            sendProgress(false);
          },
        });
        progress = { exportId, frames: r.frames, share: 1 };
        sendProgress(true);
        const fileName = path.basename(r.file);
        if (where.dir !== null) {
          const dir = where.dir;
          const timer = setTimeout(() => void forget(exportId), keep.ms);
          timer.unref();
          waiting.set(exportId, {
            id: exportId,
            dir,
            file: r.file,
            name: fileName,
            bytes: r.bytes,
            timer,
          });
          await evict();
        }
        return {
          exportId,
          ok: true,
          cancelled: false,
          fileName,
          frames: r.frames,
          durationMs: r.durationMs,
          bytes: r.bytes,
          error: null,
          download: where.dir !== null ? `${EXPORT_DOWNLOAD_PREFIX}${exportId}` : null,
        };
      } catch (e) {
        const err = toKvsError(e);
        if (where.dir !== null)
          await rm(where.dir, { recursive: true, force: true }).catch(() => undefined);
        const cancelled = controller.signal.aborted && err.code === 'CANCELLED';
        return {
          exportId,
          ok: false,
          cancelled,
          fileName: null,
          frames: progress.frames,
          durationMs: 0,
          bytes: 0,
          error: cancelled ? null : errorPayload(err),
          download: null,
        };
      }
    };
    const ended = work().then((event) => {
      running.delete(exportId);
      emit('export:ended', event);
    });
    running.set(exportId, { client: ctx.client ?? null, controller, ended });
    return { exportId };
  }

  async function cancel({
    exportId,
  }: {
    readonly exportId: string;
  }): Promise<Record<string, never>> {
    const job = running.get(exportId);
    // cancelling an export that already ended is not an error
    if (job) {
      job.controller.abort();
      await job.ended;
    }
    return {};
  }

  async function stop(which: Running[]): Promise<void> {
    for (const j of which) j.controller.abort();
    await Promise.all(which.map((j) => j.ended));
  }

  return {
    start,
    cancel,
    release: (client) => stop([...running.values()].filter((j) => j.client === client)),
    stopAll: () => stop([...running.values()]),
    download(exportId) {
      const w = waiting.get(exportId);
      return w ? { file: w.file, name: w.name } : null;
    },
    downloaded: forget,
    async dispose() {
      disposed = true;
      await stop([...running.values()]);
      await Promise.all([...waiting.keys()].map(forget));
      if (deps.downloadsDir !== undefined) {
        await cleared;
        await rm(deps.downloadsDir, { recursive: true, force: true }).catch(() => undefined);
      }
    },
  };
}
