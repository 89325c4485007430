/**
 * The app services without a broker: argument checking, errors as data, videos and uploads, a broker
 * that is not there. (app-services.int.test.ts runs it against real Kafka.)
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionStatus, InvokeReply, invoke } from '../shared/contract.js';
import { createAppServices, NOT_CONNECTED_MESSAGE, type AppServices } from './app-services.js';
import { call, callError, EventLog } from '../../scripts/test-support/service-calls.js';
import { UploadTooLargeError, sanitizeUploadName } from './video-registry.js';
import { newViewerId } from '../../renderer/src/transport/viewer-id.js';

let dir: string;
const made: AppServices[] = [];

function makeServices(opts: Partial<Parameters<typeof createAppServices>[0]> = {}): AppServices {
  const services = createAppServices({
    userDataDir: dir,
    allowOpenPath: true,
    connectTimeoutMs: 2000,
    ...opts,
  });
  made.push(services);
  return services;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'kvs-services-'));
});
afterEach(async () => {
  await Promise.all(made.splice(0).map((h) => h.dispose()));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const channels = Object.keys(invoke);

describe('handle: checking every call', () => {
  it('never throws and always answers with an InvokeReply (property)', async () => {
    const services = makeServices({ connectTimeoutMs: 300 });
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.constantFrom(
            ...channels,
            '__proto__',
            'constructor',
            'toString',
            'hasOwnProperty',
            '',
          ),
          fc.string(),
        ),
        fc.oneof(fc.anything(), fc.constant(undefined), fc.constant(null), fc.constant({})),
        async (channel, args) => {
          const reply = await services.handle(channel, args);
          expect(InvokeReply.safeParse(reply).success).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('answers an unknown channel with INVALID_ARGUMENT', async () => {
    const services = makeServices();
    for (const channel of ['nope', '__proto__', 'toString', 'connection:connect ', '']) {
      const error = await callError(services, channel, {});
      expect(error.code).toBe('INVALID_ARGUMENT');
      expect(error.message).toMatch(/Unknown call/);
    }
    // a non-string channel from a misbehaving adapter
    const error = await callError(services, 42 as unknown as string, {});
    expect(error.code).toBe('INVALID_ARGUMENT');
  });

  it('answers malformed arguments with a plain INVALID_ARGUMENT message', async () => {
    const services = makeServices();
    const e1 = await callError(services, 'connection:connect', { bootstrap: 42 });
    expect(e1.code).toBe('INVALID_ARGUMENT');
    expect(e1.message).toMatch(/"bootstrap"/);
    const e2 = await callError(services, 'topics:create', { topic: 'x', partitions: 0 });
    expect(e2.code).toBe('INVALID_ARGUMENT');
    expect(e2.message).toMatch(/"partitions"/);
    const e3 = await callError(services, 'watch:start', {
      viewerId: newViewerId(),
      topic: 't',
      from: { kind: 'yesterday' },
      pace: true,
    });
    expect(e3.code).toBe('INVALID_ARGUMENT');
    const e4 = await callError(services, 'produce:stop', { jobId: '../../etc' });
    expect(e4.code).toBe('INVALID_ARGUMENT');
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('boom');
        },
        ownKeys() {
          throw new Error('boom');
        },
      },
    );
    const e5 = await callError(services, 'connection:connect', hostile);
    expect(e5.code).toBe('INVALID_ARGUMENT');
  });

  it('refuses work that needs a connection with a plain message', async () => {
    const services = makeServices();
    for (const [channel, args] of [
      ['topics:list', {}],
      ['topics:create', { topic: 'a' }],
      ['topics:delete', { topic: 'a' }],
      ['watch:start', { viewerId: newViewerId(), topic: 'a', from: { kind: 'live' }, pace: false }],
    ] as const) {
      const error = await callError(services, channel, args);
      expect(error).toEqual({ code: 'INVALID_ARGUMENT', message: NOT_CONNECTED_MESSAGE });
    }
  });

  it('starts disconnected', async () => {
    const services = makeServices();
    expect(await call(services, 'connection:status', {})).toEqual({
      state: 'disconnected',
      bootstrap: null,
      clusterId: null,
      brokers: [],
      error: null,
    });
    expect(await call(services, 'connection:recent', {})).toEqual([]);
  });

  it('stopping an unknown job or viewer is not an error', async () => {
    const services = makeServices();
    expect(await call(services, 'produce:stop', { jobId: 'gone' })).toEqual({});
    expect(await call(services, 'watch:stop', { viewerId: 'gone' })).toEqual({});
    services.ackFrame('gone');
  });

  it('answers after dispose without throwing', async () => {
    const services = makeServices();
    await services.dispose();
    const error = await callError(services, 'connection:status', {});
    expect(error.code).toBe('CANCELLED');
  });
});

describe('connection without a broker', () => {
  it('refuses a bad bootstrap with its precise message and keeps the state', async () => {
    const services = makeServices();
    const events = new EventLog(services);
    const error = await callError(services, 'connection:connect', {
      bootstrap: 'http://10.0.0.5:9092',
    });
    expect(error.code).toBe('BOOTSTRAP_INVALID');
    expect(error.message).toMatch(/scheme|http/i);
    const error2 = await callError(services, 'connection:connect', { bootstrap: '0.0.0.0:9092' });
    expect(error2.code).toBe('BOOTSTRAP_INVALID');
    expect(error2.message).toMatch(/0\.0\.0\.0/);
    expect((await call(services, 'connection:status', {})).state).toBe('disconnected');
    expect(events.of('connection:status')).toEqual([]);
  });

  it('fails with BROKER_UNREACHABLE within the time limit when nothing listens', async () => {
    const services = makeServices({ connectTimeoutMs: 10_000 });
    const events = new EventLog(services);
    const started = Date.now();
    const error = await callError(services, 'connection:connect', { bootstrap: '127.0.0.1:1' });
    expect(Date.now() - started).toBeLessThan(11_000);
    expect(error.code).toBe('BROKER_UNREACHABLE');
    const status = ConnectionStatus.parse(await call(services, 'connection:status', {}));
    expect(status.state).toBe('failed');
    expect(status.bootstrap).toBe('127.0.0.1:1');
    expect(status.error?.code).toBe('BROKER_UNREACHABLE');
    expect(events.of('connection:status').map((s) => s.state)).toEqual(['connecting', 'failed']);
    expect(await call(services, 'connection:recent', {})).toEqual([]);
    // and disconnect returns to the start
    expect((await call(services, 'connection:disconnect', {})).state).toBe('disconnected');
  });
});

describe('videos', () => {
  it('refuses video:choose without a dialog, and returns null when the dialog is cancelled', async () => {
    const error = await callError(makeServices(), 'video:choose', {});
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toMatch(/desktop app/);
    expect(
      await call(makeServices({ chooseVideo: () => Promise.resolve(null) }), 'video:choose', {}),
    ).toBeNull();
  });

  it('gives a chosen file an id; the page never sees its path', async () => {
    const file = path.join(dir, 'chosen.mp4');
    await writeFile(file, 'not really a video, but not empty');
    const services = makeServices({
      allowOpenPath: false,
      chooseVideo: () => Promise.resolve(file),
    });
    const ref = await call(services, 'video:choose', {});
    expect(ref).toEqual({
      videoId: expect.stringMatching(/^[A-Za-z0-9_-]+$/),
      name: 'chosen.mp4',
      sizeBytes: 33,
    });
    expect(JSON.stringify(ref)).not.toContain(dir);
  });

  it('refuses video:open-path when not allowed', async () => {
    const services = makeServices({ allowOpenPath: false });
    const error = await callError(services, 'video:open-path', { path: '../../etc/passwd' });
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toMatch(/turned off/);
  });

  it('checks the file on video:open-path', async () => {
    const services = makeServices();
    expect(
      (await callError(services, 'video:open-path', { path: path.join(dir, 'missing.mp4') })).code,
    ).toBe('FILE_NOT_FOUND');
    expect((await callError(services, 'video:open-path', { path: dir })).code).toBe(
      'FILE_NOT_A_FILE',
    );
    await writeFile(path.join(dir, 'empty.mp4'), '');
    expect(
      (await callError(services, 'video:open-path', { path: path.join(dir, 'empty.mp4') })).code,
    ).toBe('FILE_EMPTY');
  });

  it('refuses produce:start for an unknown video id', async () => {
    const services = makeServices();
    const error = await callError(services, 'produce:start', {
      videoId: 'nope',
      topic: 't',
      realtime: false,
      loop: false,
      format: 'kvs',
    });
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toMatch(/no longer available/);
  });
});

describe('uploads', () => {
  it('sanitizes names: no separators, no "..", no control characters, the extension kept', () => {
    expect(sanitizeUploadName('video.mp4')).toBe('video.mp4');
    expect(sanitizeUploadName('../../etc/passwd')).toBe('passwd');
    expect(sanitizeUploadName('..\\..\\Windows\\evil.mp4')).toBe('evil.mp4');
    expect(sanitizeUploadName('a\u0000b\nc\u202e4pm.exe')).toBe('abc4pm.exe');
    expect(sanitizeUploadName('my..video...mp4')).toBe('my.video.mp4');
    expect(sanitizeUploadName('my vid 視頻 🎬.mp4')).toBe('my vid 視頻 🎬.mp4');
    expect(sanitizeUploadName('con:tent?.mov')).toBe('content.mov');
    expect(sanitizeUploadName('..')).toBeNull();
    expect(sanitizeUploadName('/')).toBeNull();
    expect(sanitizeUploadName('')).toBeNull();
    expect(sanitizeUploadName(' . ')).toBeNull();
    const long = sanitizeUploadName(`${'x'.repeat(500)}.webm`);
    expect(long?.endsWith('.webm')).toBe(true);
    expect([...(long ?? '')].length).toBeLessThanOrEqual(120);
  });

  it('never yields a name with a separator or ".." (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (raw) => {
        const name = sanitizeUploadName(raw);
        if (name === null) return;
        expect(name).not.toMatch(/[\\/]/);
        expect(name).not.toContain('..');
        expect(name.startsWith('.')).toBe(false);
        expect([...name].some((c) => (c.codePointAt(0) ?? 0) < 0x20)).toBe(false);
        expect(path.basename(name)).toBe(name);
      }),
    );
  });

  it('streams an upload into the uploads folder and registers it', async () => {
    const services = makeServices({ allowOpenPath: false });
    const body = Readable.from([Buffer.from('abc'), Buffer.from('defg')]);
    const ref = await services.registerUpload('../x/clip.mp4', body);
    expect(ref).toMatchObject({ name: 'clip.mp4', sizeBytes: 7 });
    const files = await readdir(path.join(dir, 'uploads'));
    expect(files).toContain(`${ref.videoId}-clip.mp4`);
    expect(await readFile(path.join(dir, 'uploads', `${ref.videoId}-clip.mp4`), 'utf8')).toBe(
      'abcdefg',
    );
    // dispose deletes this session's uploads
    await services.dispose();
    expect(await readdir(path.join(dir, 'uploads'))).not.toContain(`${ref.videoId}-clip.mp4`);
  });

  it('refuses an upload over the cap and leaves no file behind', async () => {
    const services = makeServices({ maxUploadBytes: 10 });
    const before = await readdir(path.join(dir, 'uploads')).catch(() => []);
    await expect(
      services.registerUpload('big.mp4', Readable.from([Buffer.alloc(6), Buffer.alloc(6)])),
    ).rejects.toBeInstanceOf(UploadTooLargeError);
    expect(await readdir(path.join(dir, 'uploads'))).toEqual(before);
  });

  it('refuses a bad name and an empty upload', async () => {
    const services = makeServices();
    await expect(
      services.registerUpload('..', Readable.from([Buffer.from('x')])),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(services.registerUpload('empty.mp4', Readable.from([]))).rejects.toMatchObject({
      code: 'FILE_EMPTY',
    });
  });
});
