import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ExportEndedEvent, ExportProgressEvent } from '../shared/contract.js';
import { KvsError } from '../shared/errors.js';
import type { ExportOptions, ExportResult } from '../core/export/export-stream.js';
import type { FfmpegPaths } from '../core/ffmpeg/locate-ffmpeg.js';
import type { KafkaHandle } from '../core/kafka/client.js';
import type { Connection } from './connection-service.js';
import type { EventBus } from './event-bus.js';
import {
  createExportJobs,
  defaultExportName,
  EXPORT_DOWNLOAD_PREFIX,
  MAX_EXPORTS,
  type ExportJobsDeps,
} from './export-jobs.js';

const FFMPEG: FfmpegPaths = {
  ffmpegPath: '/no/ffmpeg',
  ffprobePath: '/no/ffprobe',
  source: 'path',
  ffprobeSource: 'path',
};
const connection = {
  require: (): Connection => ({
    handle: {} as KafkaHandle,
    bootstrap: '127.0.0.1:9092',
    securityKey: '',
  }),
};

/** An export that writes `frames` bytes to opts.out, reporting each frame. */
function fakeRun(frames = 5) {
  const calls: ExportOptions[] = [];
  const run = async (_h: KafkaHandle, o: ExportOptions): Promise<ExportResult> => {
    calls.push(o);
    for (let i = 1; i <= frames; i++) o.onProgress?.({ frames: i, share: i / frames });
    await writeFile(o.out, Buffer.alloc(frames, 1));
    return {
      file: o.out,
      frames,
      durationMs: frames * 100,
      bytes: frames,
      codec: 'h264',
      source: 'video/h264',
      remuxed: true,
      streamId: 'cam',
      fps: 10,
      firstTimestamp: 0,
      lastTimestamp: 0,
      notTaken: { otherStreams: 0, beforeKeyframe: 0, otherType: 0 },
    };
  };
  return { run, calls };
}

/** An export that runs until its signal aborts. */
function hangingRun(started: () => void) {
  return (_h: KafkaHandle, o: ExportOptions): Promise<ExportResult> =>
    new Promise((_resolve, reject) => {
      started();
      o.signal?.addEventListener('abort', () =>
        reject(new KvsError('CANCELLED', 'The export was stopped.')),
      );
    });
}

describe('export jobs', () => {
  let dir: string;
  let progress: ExportProgressEvent[];
  let ended: ExportEndedEvent[];
  let t: number;
  const emit: EventBus['emit'] = (channel, payload) => {
    if (channel === 'export:progress') progress.push(payload as ExportProgressEvent);
    if (channel === 'export:ended') ended.push(payload as ExportEndedEvent);
  };
  const make = (over: Partial<ExportJobsDeps> = {}) =>
    createExportJobs({
      connection,
      emit,
      now: () => t,
      ffmpeg: FFMPEG,
      downloadsDir: path.join(dir, 'exports'),
      clock: () => Date.UTC(2026, 0, 2, 3, 4, 5),
      ...over,
    });
  const endOf = async (exportId: string): Promise<ExportEndedEvent> => {
    for (let i = 0; i < 200; i++) {
      const e = ended.find((x) => x.exportId === exportId);
      if (e) return e;
      await new Promise((r) => setTimeout(r, 5));
    }
    throw new Error(`export ${exportId} did not end`);
  };

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'kvs-export-jobs-'));
    progress = [];
    ended = [];
    t = 0;
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('names the file after the topic and the range start (or now)', () => {
    expect(defaultExportName('cams', Date.UTC(2026, 0, 2, 3, 4, 5))).toBe(
      'cams-2026-01-02_03-04-05.mp4',
    );
  });

  it('browser: writes into its own folder, ends with a download path, removed once downloaded', async () => {
    const { run, calls } = fakeRun(5);
    const jobs = make({ run });
    const { exportId } = await jobs.start({ topic: 'cams', streamId: null, toMs: 9000 }, {});
    const e = await endOf(exportId);
    expect(e).toEqual({
      exportId,
      ok: true,
      cancelled: false,
      fileName: 'cams-2026-01-02_03-04-05.mp4',
      frames: 5,
      durationMs: 500,
      bytes: 5,
      error: null,
      download: `${EXPORT_DOWNLOAD_PREFIX}${exportId}`,
    });
    // the range and stream passed on; an own folder, so nothing to replace
    expect(calls[0]).toMatchObject({ topic: 'cams', range: { toMs: 9000 }, force: false });
    expect(calls[0]?.streamId).toBeUndefined();
    expect(path.dirname(calls[0]?.out ?? '')).toBe(path.join(dir, 'exports', exportId));
    // throttled: the first progress and the final one (the clock did not move)
    expect(progress).toEqual([
      { exportId, frames: 1, share: 0.2 },
      { exportId, frames: 5, share: 1 },
    ]);
    const d = jobs.download(exportId);
    expect(d?.name).toBe('cams-2026-01-02_03-04-05.mp4');
    expect((await readFile(d?.file ?? '')).length).toBe(5);
    await jobs.downloaded(exportId);
    expect(jobs.download(exportId)).toBeNull();
    expect(await readdir(path.join(dir, 'exports'))).toEqual([]);
  });

  it('desktop: the save dialog picks the file and the export replaces it; a cancelled dialog starts nothing', async () => {
    const { run, calls } = fakeRun(3);
    const answers: Array<string | null> = [null, path.join(dir, 'mine.mp4')];
    const asked: string[] = [];
    const jobs = make({
      run,
      downloadsDir: undefined,
      chooseFile: (name) => {
        asked.push(name);
        return Promise.resolve(answers.shift() ?? null);
      },
    });
    await expect(jobs.start({ topic: 'cams', fromMs: 0 }, {})).rejects.toMatchObject({
      code: 'CANCELLED',
    });
    expect(calls).toEqual([]);
    expect(ended).toEqual([]);
    const { exportId } = await jobs.start({ topic: 'cams', streamId: 'cam' }, {});
    const e = await endOf(exportId);
    expect(e).toMatchObject({ ok: true, fileName: 'mine.mp4', download: null, frames: 3 });
    expect(calls[0]).toMatchObject({
      out: path.join(dir, 'mine.mp4'),
      force: true,
      streamId: 'cam',
    });
    expect(asked).toEqual(['cams-1970-01-01_00-00-00.mp4', 'cams-2026-01-02_03-04-05.mp4']);
    expect(jobs.download(exportId)).toBeNull();
  });

  it('cancel: ended cancelled with no error, its folder removed', async () => {
    let started = false;
    const jobs = make({ run: hangingRun(() => (started = true)) });
    const { exportId } = await jobs.start({ topic: 'cams' }, {});
    await expect.poll(() => started).toBe(true);
    await jobs.cancel({ exportId });
    expect(await endOf(exportId)).toMatchObject({
      ok: false,
      cancelled: true,
      error: null,
      fileName: null,
      download: null,
    });
    expect(await readdir(path.join(dir, 'exports'))).toEqual([]);
    // cancelling again is no error
    await expect(jobs.cancel({ exportId })).resolves.toEqual({});
  });

  it('a failed export ends with its error and leaves no folder', async () => {
    const jobs = make({
      run: () => Promise.reject(new KvsError('EXPORT_EMPTY', 'Nothing to export.')),
    });
    const { exportId } = await jobs.start({ topic: 'cams' }, {});
    expect(await endOf(exportId)).toMatchObject({
      ok: false,
      cancelled: false,
      error: { code: 'EXPORT_EMPTY', message: 'Nothing to export.' },
    });
    expect(await readdir(path.join(dir, 'exports'))).toEqual([]);
  });

  it('keeps at most keep.files / keep.bytes waiting files, oldest removed first, and expires them', async () => {
    const { run } = fakeRun(4);
    const jobs = make({ run, keep: { files: 2, bytes: 1000, ms: 60_000 } });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { exportId } = await jobs.start({ topic: 'cams' }, {});
      await endOf(exportId);
      ids.push(exportId);
    }
    expect(ids.map((id) => jobs.download(id) !== null)).toEqual([false, true, true]);
    expect((await readdir(path.join(dir, 'exports'))).sort()).toEqual(ids.slice(1).sort());

    const small = make({ run, keep: { files: 10, bytes: 5, ms: 60_000 } });
    const a = (await small.start({ topic: 'cams' }, {})).exportId;
    await endOf(a);
    const b = (await small.start({ topic: 'cams' }, {})).exportId;
    await endOf(b);
    // 8 bytes > 5: the older goes; the newest always waits for its download
    expect([small.download(a), small.download(b) !== null]).toEqual([null, true]);

    const brief = make({ run, keep: { files: 10, bytes: 1000, ms: 20 } });
    const c = (await brief.start({ topic: 'cams' }, {})).exportId;
    await endOf(c);
    await expect.poll(() => brief.download(c), { timeout: 2000 }).toBeNull();
  });

  it(`runs at most ${MAX_EXPORTS} at once; release cancels only that client's; dispose cancels the rest and empties the folder`, async () => {
    let n = 0;
    const jobs = make({ run: hangingRun(() => n++) });
    const a = (await jobs.start({ topic: 'cams' }, { client: 'page-a' })).exportId;
    const b = (await jobs.start({ topic: 'cams' }, { client: 'page-b' })).exportId;
    await expect(jobs.start({ topic: 'cams' }, {})).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringMatching(/At most 2 exports/),
    });
    await expect.poll(() => n).toBe(2);
    await jobs.release('page-a');
    expect(await endOf(a)).toMatchObject({ cancelled: true });
    expect(ended.find((e) => e.exportId === b)).toBeUndefined();
    await jobs.dispose();
    expect(await endOf(b)).toMatchObject({ cancelled: true });
    await expect(readdir(path.join(dir, 'exports'))).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(jobs.start({ topic: 'cams' }, {})).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});
