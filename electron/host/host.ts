/**
 * The host service: the work behind every contract call, with no Electron in it.
 *
 * Electron's main process and `kvs serve` (the browser transport) are thin adapters around one
 * host each: they hand it the raw channel + arguments of every call, send its events to the page,
 * and carry its frame packets (MessagePort / binary WebSocket messages).
 *
 * - `handle()` checks the channel, parses the arguments with the contract's zod schema, runs the
 *   call and answers `{ ok: true, result }` or `{ ok: false, error }`. It never throws, and every
 *   result is parsed with the contract's result schema before it leaves.
 * - One Kafka connection at a time. Viewers and produce jobs belong to it: disconnecting (or
 *   connecting elsewhere) stops them.
 * - Frames: each viewer has a {@link FrameGate} (newest frame wins, FRAMES_IN_FLIGHT un-acked).
 */
import { isIP } from 'node:net';
import path from 'node:path';
import type { Admin } from 'kafkajs';
import type { z } from 'zod';
import {
  invoke,
  isInvokeChannel,
  type ConnectionStatus,
  type Diagnosis,
  type ErrorPayload,
  type EventChannel,
  type EventPayload,
  type InvokeChannel,
  type InvokeReply,
  type InvokeResult,
  type ProduceEndedEvent,
  type ProduceProgressEvent,
  type TopicSummary,
  type VideoRef,
  type WatchStatsEvent,
} from '../shared/contract.js';
import { encodeFramePacket } from '../shared/frame-packet.js';
import { FRAMES_IN_FLIGHT } from '../shared/flow-control.js';
import { parseBootstrap } from '../shared/bootstrap.js';
import { diagnose } from '../core/doctor/diagnose.js';
import { KvsError, toKvsError } from '../shared/errors.js';
import type { FfmpegPaths } from '../core/ffmpeg/locate-ffmpeg.js';
import {
  assertTopicName,
  createKafka,
  withTimeout,
  type KafkaHandle,
} from '../core/kafka/client.js';
import { createTopic, deleteTopic, listTopics, withAdmin } from '../core/kafka/topics.js';
import { startViewer, type Viewer, type ViewerFrame } from '../core/kafka/viewer.js';
import { undeliveredError, type ProduceProgress } from '../core/kafka/producer.js';
import { produceFile } from '../core/produce-file.js';
import { FrameGate } from './frame-gate.js';
import { RecentConnections } from './recent-connections.js';
import type { SecretCipher } from './saved-servers.js';
import { createSetupService, type SetupServiceDeps } from './setup-service.js';
import { VideoRegistry, newId } from './video-registry.js';

export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/** Events about progress and stats go out at most this often per job / viewer. */
export const STATS_INTERVAL_MS = 250;
export const MAX_VIEWERS = 16;
export const MAX_JOBS = 16;
/** How long disconnect/dispose waits for viewers and jobs to wind down. */
const STOP_GRACE_MS = 10_000;

export const NOT_CONNECTED_MESSAGE = 'Connect to a broker first.';

/** `(channel, payload)` pairs: checking `channel` narrows `payload`. */
export type HostEventArgs = {
  [C in EventChannel]: [channel: C, payload: EventPayload<C>];
}[EventChannel];
export type EventListener = (...args: HostEventArgs) => void;
/**
 * `client` is the caller that started the viewer (see {@link CallContext}), or null. Returns
 * whether the packet is on its way to that client: false (no socket, no frame port) means the
 * frame is not in flight and the viewer's gate does not wait for its ack.
 */
export type FrameListener = (
  viewerId: string,
  packet: Uint8Array,
  client: string | null,
) => boolean;

/**
 * Who is calling: one id per page (a WebSocket in the browser, a page load in Electron), so
 * frames go to that page only and its viewers and jobs are released with it.
 */
export interface CallContext {
  readonly client?: string;
}

/** What a departed client leaves behind. */
export interface ReleaseOptions {
  /**
   * Also stop the produce jobs it started. Electron: yes (the page was reloaded or crashed,
   * and the new page cannot see them). Browser: no (a WebSocket also drops when the network
   * blinks, and the page reconnects).
   */
  readonly jobs: boolean;
}

export interface HostDeps {
  /** Recent connections and uploads live here. */
  readonly userDataDir: string;
  /** Default: located on first use (FFMPEG_PATH, ffmpeg-static, PATH). */
  readonly ffmpeg?: FfmpegPaths;
  /** Electron's native open dialog: an absolute path, or null when cancelled. Absent in the browser. */
  readonly chooseVideo?: () => Promise<string | null>;
  /** Allow `video:open-path` (a path typed in the page). Electron: false. */
  readonly allowOpenPath: boolean;
  /** Monotonic ms, for throttling. Default performance.now. */
  readonly now?: () => number;
  /** Limit for checking a broker on connect. Default 10 s. */
  readonly connectTimeoutMs?: number;
  /** Default 4 GiB. */
  readonly maxUploadBytes?: number;
  /** Electron's native open dialog for a Kafka .tgz (setup wizard). Absent in the browser. */
  readonly chooseTarball?: () => Promise<string | null>;
  /** The OS keychain for remembered SSH passwords (Electron safeStorage); absent = never remembered. */
  readonly cipher?: SecretCipher | null;
  /** Setup wizard seams for tests (default: the real SSH layer and check from this computer). */
  readonly setup?: Pick<SetupServiceDeps, 'openSsh' | 'verify'>;
}

export interface Host {
  /** Run one contract call. Never throws: errors come back as `{ ok: false, error }`. */
  handle(channel: string, rawArgs: unknown, ctx?: CallContext): Promise<InvokeReply>;
  onEvent(listener: EventListener): () => void;
  onFrame(listener: FrameListener): () => void;
  /**
   * The page has drawn a frame of this viewer: one more may be sent. Unknown ids, and viewers
   * of another client (when `client` is given), are ignored.
   */
  ackFrame(viewerId: string, client?: string): void;
  /** Browser upload: stream `body` into the uploads folder (capped) and register it. Throws KvsError / UploadTooLargeError. */
  registerUpload(name: string, body: AsyncIterable<Uint8Array>): Promise<VideoRef>;
  /** A caller went away (a WebSocket closed, a page reloaded): stop its viewers (and jobs, if asked). */
  releaseClient(client: string, opts?: ReleaseOptions): Promise<void>;
  readonly maxUploadBytes: number;
  /** Stop every viewer and job, drop the connection, delete uploads. Idempotent. */
  dispose(): Promise<void>;
}

type Args<C extends InvokeChannel> = z.output<(typeof invoke)[C]['args']>;
type Handlers = {
  [C in InvokeChannel]: (args: Args<C>, ctx: CallContext) => Promise<InvokeResult<C>>;
};

interface Connection {
  readonly handle: KafkaHandle;
  readonly bootstrap: string;
}

interface ViewerEntry {
  readonly id: string;
  readonly client: string | null;
  readonly gate: FrameGate;
  viewer: Viewer | null;
  state: WatchStatsEvent['state'];
  error: ErrorPayload | null;
  stopRequested: boolean;
  finished: boolean;
  timer: NodeJS.Timeout | null;
  lastStats: string;
}

interface JobEntry {
  readonly id: string;
  readonly client: string | null;
  readonly controller: AbortController;
  readonly ended: Promise<void>;
}

export function errorPayload(e: unknown): ErrorPayload {
  const err = toKvsError(e);
  return err.detail === undefined
    ? { code: err.code, message: err.message }
    : { code: err.code, message: err.message, detail: err.detail };
}

function fail(code: KvsError['code'], message: string): InvokeReply {
  return { ok: false, error: { code, message } };
}

/** One plain sentence from a zod error: which argument, what is wrong. */
function describeIssues(channel: string, error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return `The arguments for ${channel} are not valid.`;
  const where = issue.path.length > 0 ? `"${issue.path.map(String).join('.')}"` : 'the arguments';
  const more =
    error.issues.length > 1
      ? ` (and ${error.issues.length - 1} more problem${error.issues.length > 2 ? 's' : ''})`
      : '';
  return `Invalid ${where} for ${channel}: ${issue.message}${more}.`;
}

function safeName(channel: unknown): string {
  return typeof channel === 'string' ? JSON.stringify(channel.slice(0, 64)) : `a ${typeof channel}`;
}

const disconnected: ConnectionStatus = {
  state: 'disconnected',
  bootstrap: null,
  clusterId: null,
  brokers: [],
  error: null,
};

export function createHost(deps: HostDeps): Host {
  const now = deps.now ?? (() => performance.now());
  const connectTimeoutMs = deps.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const recent = new RecentConnections(deps.userDataDir);
  const videos = new VideoRegistry({
    uploadsDir: path.join(deps.userDataDir, 'uploads'),
    ...(deps.maxUploadBytes !== undefined ? { maxUploadBytes: deps.maxUploadBytes } : {}),
  });
  const eventListeners = new Set<EventListener>();
  const frameListeners = new Set<FrameListener>();
  const viewers = new Map<string, ViewerEntry>();
  const jobs = new Map<string, JobEntry>();
  let status: ConnectionStatus = disconnected;
  let conn: Connection | null = null;
  /** Bumped by every connect/disconnect: an older attempt that finishes late changes nothing. */
  let generation = 0;
  let disposed = false;

  // ---- events and frames ------------------------------------------------------------------------

  function emit<C extends EventChannel>(channel: C, payload: EventPayload<C>): void {
    const args = [channel, payload] as HostEventArgs;
    for (const l of [...eventListeners]) {
      try {
        l(...args);
      } catch {
        // a listener's failure is the adapter's problem, never the host's
      }
    }
  }

  /** True when some listener took the packet on its way to the page. */
  function emitFrame(viewerId: string, packet: Uint8Array, client: string | null): boolean {
    let sent = false;
    for (const l of [...frameListeners]) {
      try {
        if (l(viewerId, packet, client)) sent = true;
      } catch {
        // as above
      }
    }
    return sent;
  }

  function setStatus(next: ConnectionStatus): void {
    status = next;
    emit('connection:status', next);
  }

  // Streams (job or viewer id) that cannot reach the broker right now, and why. While any can't,
  // the connection status stays "connected" but carries the error, so the connect panel says
  // that Kafka is not answering; it clears when they are through again.
  const linkTrouble = new Map<string, ErrorPayload>();
  function reportLink(source: string, trouble: ErrorPayload | null): void {
    if (trouble) linkTrouble.set(source, trouble);
    else if (!linkTrouble.delete(source)) return;
    if (status.state !== 'connected') return;
    const error = linkTrouble.values().next().value ?? null;
    if (error?.message === status.error?.message) return;
    setStatus({ ...status, error });
  }

  const chooseTarballPath = deps.chooseTarball;
  const setup = createSetupService({
    userDataDir: deps.userDataDir,
    fileById: (id) => videos.get(id),
    ...(chooseTarballPath
      ? {
          chooseTarball: async () => {
            const picked = await chooseTarballPath();
            return picked === null ? null : videos.addPath(picked);
          },
        }
      : {}),
    cipher: deps.cipher ?? null,
    events: {
      step: (e) => emit('setup:step', e),
      log: (runId, lines) => emit('setup:log', { runId, lines }),
      ended: (e) => emit('setup:ended', e),
    },
    ...deps.setup,
  });

  // ---- doctor -----------------------------------------------------------------------------------

  async function runDoctor(
    bootstrap: string,
    opts: { topic?: string; frameBytes?: number },
  ): Promise<Diagnosis> {
    const d = await diagnose(bootstrap, opts);
    const parsed = parseBootstrap(bootstrap);
    const host = parsed.ok ? parsed.entries[0]?.host : undefined;
    const sessionId = host === undefined ? null : setup.sessionFor(host);
    const advertise = d.advertiseFix?.replace(/:\d+$/, '') ?? null;
    const serverFix =
      sessionId !== null && advertise !== null && isIP(advertise) === 4
        ? { sessionId, host: host ?? advertise, advertise }
        : null;
    return {
      ok: d.ok,
      bootstrap: d.bootstrap,
      clusterId: d.clusterId,
      controllerId: d.controllerId,
      brokerVersion: d.brokerVersion,
      checks: d.checks,
      brokers: d.brokers,
      findings: d.findings,
      durationMs: d.durationMs,
      serverFix,
    };
  }

  // ---- connection -------------------------------------------------------------------------------

  function requireConnection(): Connection {
    if (conn === null) throw new KvsError('INVALID_ARGUMENT', NOT_CONNECTED_MESSAGE);
    return conn;
  }

  async function checkBroker(handle: KafkaHandle): ReturnType<Admin['describeCluster']> {
    try {
      return await withTimeout(
        withAdmin(handle, (admin) => admin.describeCluster()),
        connectTimeoutMs,
        `Checking the broker at ${handle.bootstrap}`,
      );
    } catch (e) {
      const err = toKvsError(e, 'BROKER_UNREACHABLE');
      if (err.code === 'TIMEOUT')
        throw new KvsError(
          'BROKER_UNREACHABLE',
          `No answer from a broker at ${handle.bootstrap} within ${Math.round(connectTimeoutMs / 1000)} s. ` +
            `Check that Kafka is running and that ${handle.bootstrap} is the address in the broker's advertised.listeners.`,
          err.message,
        );
      throw err;
    }
  }

  /** Stop every viewer and job of the current connection and forget it. */
  async function closeConnection(): Promise<void> {
    conn = null;
    const stops = [...viewers.values()].map((v) => stopViewer(v));
    for (const j of jobs.values()) j.controller.abort();
    const ends = [...jobs.values()].map((j) => j.ended);
    await withTimeout(
      Promise.all([...stops, ...ends]),
      STOP_GRACE_MS,
      'Stopping viewers and jobs',
    ).catch(() => undefined);
  }

  async function connect({ bootstrap }: Args<'connection:connect'>): Promise<ConnectionStatus> {
    const parsed = parseBootstrap(bootstrap);
    // a typo is answered at once and leaves the current connection as it is
    if (!parsed.ok) throw new KvsError('BOOTSTRAP_INVALID', parsed.error);
    // already connected there (another window, a page reloaded with #bootstrap=…): keep it, and
    // the viewers and jobs running on it — closing it would pull it from under their calls
    if (conn !== null && conn.bootstrap === parsed.normalized && status.state === 'connected')
      return status;
    const gen = ++generation;
    await closeConnection();
    const superseded = (): KvsError =>
      new KvsError('CANCELLED', 'A newer connect or disconnect replaced this connection attempt.');
    if (gen !== generation) throw superseded();
    setStatus({
      state: 'connecting',
      bootstrap: parsed.normalized,
      clusterId: null,
      brokers: [],
      error: null,
    });
    let cluster;
    const handle = createKafka({ bootstrap: parsed.normalized });
    try {
      cluster = await checkBroker(handle);
    } catch (e) {
      if (gen !== generation) throw superseded();
      const error = errorPayload(e);
      setStatus({
        state: 'failed',
        bootstrap: parsed.normalized,
        clusterId: null,
        brokers: [],
        error,
      });
      throw e;
    }
    if (gen !== generation) throw superseded();
    conn = { handle, bootstrap: parsed.normalized };
    setStatus({
      state: 'connected',
      bootstrap: parsed.normalized,
      clusterId: cluster.clusterId,
      brokers: [...cluster.brokers]
        .sort((a, b) => a.nodeId - b.nodeId)
        .map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port })),
      error: null,
    });
    // remembering it is a convenience: a read-only config folder must not fail the connection
    await recent.add(parsed.normalized).catch(() => undefined);
    return status;
  }

  async function disconnect(): Promise<ConnectionStatus> {
    generation++;
    await closeConnection();
    setStatus(disconnected);
    return status;
  }

  // ---- topics -------------------------------------------------------------------------------------

  async function topicsList(): Promise<TopicSummary[]> {
    const c = requireConnection();
    const topics = await listTopics(c.handle);
    return topics.map((t) => ({
      name: t.name,
      partitions: t.partitions,
      messages: t.messages,
      firstTimestamp: t.firstTimestamp,
      lastTimestamp: t.lastTimestamp,
      internal: t.internal,
    }));
  }

  // ---- videos -------------------------------------------------------------------------------------

  async function chooseVideo(): Promise<VideoRef | null> {
    if (!deps.chooseVideo)
      throw new KvsError(
        'INVALID_ARGUMENT',
        'Choosing a file with a dialog works in the desktop app only. Upload the video instead.',
      );
    const picked = await deps.chooseVideo();
    return picked === null ? null : videos.addPath(picked);
  }

  async function openPath({ path: file }: Args<'video:open-path'>): Promise<VideoRef> {
    if (!deps.allowOpenPath)
      throw new KvsError(
        'INVALID_ARGUMENT',
        'Opening a video by its path is turned off here. Choose or upload the video instead.',
      );
    return videos.addPath(file);
  }

  // ---- produce ------------------------------------------------------------------------------------

  async function produceStart(
    req: Args<'produce:start'>,
    ctx: CallContext,
  ): Promise<{ jobId: string }> {
    const video = videos.get(req.videoId);
    if (!video)
      throw new KvsError(
        'INVALID_ARGUMENT',
        'That video is no longer available. Choose or upload it again.',
      );
    const c = requireConnection();
    assertTopicName(req.topic);
    if (jobs.size >= MAX_JOBS)
      throw new KvsError(
        'INVALID_ARGUMENT',
        `At most ${MAX_JOBS} videos can be produced at once. Stop one first.`,
      );
    const jobId = newId();
    const controller = new AbortController();
    let last: ProduceProgress = {
      frames: 0,
      acked: 0,
      failed: 0,
      bytes: 0,
      elapsedMs: 0,
      fps: 0,
      bytesPerSec: 0,
      shrunk: 0,
      brokerState: 'connected',
    };
    let brokerError: ErrorPayload | null = null;
    let lastTotal: number | null = null;
    let lastSent = -Infinity;
    let lastSentKey = '';
    const started = now();
    const sendProgress = (force: boolean): void => {
      const t = now();
      const key = `${last.frames}/${last.acked}/${last.failed}/${last.brokerState}`;
      if (!force && t - lastSent < STATS_INTERVAL_MS) return;
      if (force && key === lastSentKey) return;
      lastSent = t;
      lastSentKey = key;
      const payload: ProduceProgressEvent = {
        jobId,
        ...last,
        total: lastTotal,
        brokerError: last.brokerState === 'connected' ? null : brokerError,
      };
      emit('produce:progress', payload);
    };

    const run = async (): Promise<ProduceEndedEvent> => {
      try {
        const r = await produceFile(
          c.handle,
          video.path,
          {
            topic: req.topic,
            fps: req.fps,
            maxWidth: req.maxWidth,
            maxHeight: req.maxHeight,
            quality: req.quality,
            realtime: req.realtime,
            loop: req.loop,
            format: req.format,
            signal: controller.signal,
            progressIntervalMs: STATS_INTERVAL_MS,
            onProgress: (p, total) => {
              last = p;
              lastTotal = total;
              sendProgress(false);
            },
            onBrokerState: (state, err) => {
              brokerError = err === null ? null : errorPayload(err);
              reportLink(jobId, state === 'connected' ? null : brokerError);
              last = { ...last, brokerState: state };
              sendProgress(true);
            },
          },
          deps.ffmpeg ? { ffmpeg: deps.ffmpeg } : {},
        );
        last = { ...last, frames: r.frames, acked: r.acked, failed: r.failed, bytes: r.bytes };
        sendProgress(true);
        const error = undeliveredError(r);
        return {
          jobId,
          ok: error === null,
          frames: r.frames,
          acked: r.acked,
          failed: r.failed,
          bytes: r.bytes,
          durationMs: r.durationMs,
          cancelled: r.cancelled,
          error: error === null ? null : errorPayload(error),
        };
      } catch (e) {
        const err = toKvsError(e);
        const cancelled = controller.signal.aborted && err.code === 'CANCELLED';
        return {
          jobId,
          ok: cancelled,
          frames: last.frames,
          acked: last.acked,
          failed: last.failed,
          bytes: last.bytes,
          durationMs: Math.round(now() - started),
          cancelled: controller.signal.aborted,
          error: cancelled ? null : errorPayload(err),
        };
      }
    };
    const ended = run().then((event) => {
      jobs.delete(jobId);
      reportLink(jobId, null);
      emit('produce:ended', event);
    });
    jobs.set(jobId, { id: jobId, client: ctx.client ?? null, controller, ended });
    return { jobId };
  }

  async function produceStop({ jobId }: Args<'produce:stop'>): Promise<Record<string, never>> {
    const job = jobs.get(jobId);
    // stopping a job that already ended is not an error: it is stopped
    if (job) {
      job.controller.abort();
      await job.ended;
    }
    return {};
  }

  // ---- watch --------------------------------------------------------------------------------------

  function statsOf(v: ViewerEntry): WatchStatsEvent {
    const s = v.viewer?.stats;
    return {
      viewerId: v.id,
      state: v.state,
      frames: s?.frames ?? 0,
      bytes: s?.bytes ?? 0,
      skipped: s?.skipped ?? 0,
      gaps: s?.gaps ?? 0,
      repeats: s?.repeats ?? 0,
      dropped: v.gate.dropped,
      error: v.error,
    };
  }

  function sendStats(v: ViewerEntry, force: boolean): void {
    const stats = statsOf(v);
    const key = JSON.stringify(stats);
    if (!force && key === v.lastStats) return;
    v.lastStats = key;
    emit('watch:stats', stats);
  }

  function finishViewer(v: ViewerEntry): void {
    if (v.finished) return;
    v.finished = true;
    if (v.timer) clearInterval(v.timer);
    v.gate.close();
    if (v.viewer && v.viewer.state === 'failed') v.state = 'failed';
    else if (v.state !== 'failed') v.state = 'stopped';
    viewers.delete(v.id);
    reportLink(v.id, null);
    sendStats(v, true);
  }

  async function stopViewer(v: ViewerEntry): Promise<void> {
    v.stopRequested = true;
    v.gate.close();
    if (v.viewer) {
      await v.viewer.stop();
      finishViewer(v);
    }
  }

  function framePacket(viewerId: string, f: ViewerFrame): (dropped: number) => Uint8Array {
    // a copy: the frame may wait in the pending slot; don't pin kafkajs's whole fetch buffer
    const image = new Uint8Array(f.image);
    return (dropped) =>
      encodeFramePacket(
        {
          viewerId,
          seq: f.seq,
          ptsMs: f.ptsMs,
          capturedAt: f.capturedAt,
          receivedAt: f.receivedAt,
          timestamp: f.timestamp,
          width: f.width,
          height: f.height,
          type: f.type,
          dropped,
        },
        image,
      );
  }

  async function watchStart(
    req: Args<'watch:start'>,
    ctx: CallContext,
  ): Promise<{ viewerId: string }> {
    const c = requireConnection();
    assertTopicName(req.topic);
    if (viewers.size >= MAX_VIEWERS)
      throw new KvsError(
        'INVALID_ARGUMENT',
        `At most ${MAX_VIEWERS} viewers can play at once. Stop one first.`,
      );
    const id = req.viewerId;
    if (viewers.has(id))
      throw new KvsError('INVALID_ARGUMENT', 'A viewer with this id is already playing.');
    const client = ctx.client ?? null;
    const entry: ViewerEntry = {
      id,
      client,
      // live: the newest frame wins; a paced replay shows every frame (slows down instead)
      gate: new FrameGate(
        (packet) => emitFrame(id, packet, client),
        FRAMES_IN_FLIGHT,
        req.pace && req.from.kind !== 'live' ? 'every-frame' : 'newest-wins',
      ),
      viewer: null,
      state: 'connecting',
      error: null,
      stopRequested: false,
      finished: false,
      timer: null,
      lastStats: '',
    };
    viewers.set(id, entry);
    let viewer: Viewer;
    try {
      viewer = await startViewer(c.handle, {
        topic: req.topic,
        from: req.from,
        // live frames come as they are made: pacing them would only keep the delay of the first one
        pace: req.pace && req.from.kind !== 'live',
        onFrame: (f) => entry.gate.offer(framePacket(id, f)),
        onState: (state, err) => {
          if (entry.finished) return;
          entry.state = state;
          if (err) entry.error = errorPayload(err);
          else if (state === 'playing') entry.error = null;
          if (state === 'reconnecting')
            reportLink(
              id,
              entry.error ?? {
                code: 'BROKER_UNREACHABLE',
                message: 'The viewer lost Kafka and is reconnecting.',
              },
            );
          else reportLink(id, null);
          if (entry.viewer) sendStats(entry, true);
        },
      });
    } catch (e) {
      viewers.delete(id);
      entry.gate.close();
      throw e;
    }
    if (entry.stopRequested) {
      await viewer.stop();
      viewers.delete(id);
      throw new KvsError('CANCELLED', 'The viewer was stopped before it started.');
    }
    entry.viewer = viewer;
    entry.state = viewer.state;
    entry.timer = setInterval(() => sendStats(entry, false), STATS_INTERVAL_MS);
    entry.timer.unref?.();
    void viewer.done.then(() => finishViewer(entry));
    sendStats(entry, true);
    return { viewerId: id };
  }

  async function watchStop(
    { viewerId }: Args<'watch:stop'>,
    ctx: CallContext,
  ): Promise<Record<string, never>> {
    const v = viewers.get(viewerId);
    // another page's viewer is not this page's to stop: as if it had stopped already
    if (v && v.client === (ctx.client ?? null)) await stopViewer(v);
    return {};
  }

  // ---- dispatch -----------------------------------------------------------------------------------

  const handlers: Handlers = {
    'connection:connect': connect,
    'connection:disconnect': disconnect,
    'connection:status': () => Promise.resolve(status),
    'connection:recent': () => recent.get(),
    'topics:list': topicsList,
    'topics:create': async ({ topic, partitions }) => {
      await createTopic(
        requireConnection().handle,
        topic,
        partitions === undefined ? {} : { partitions },
      );
      return {};
    },
    'topics:delete': async ({ topic }) => {
      await deleteTopic(requireConnection().handle, topic);
      return {};
    },
    'video:choose': chooseVideo,
    'video:open-path': openPath,
    'produce:start': produceStart,
    'produce:stop': produceStop,
    'watch:start': watchStart,
    'watch:stop': watchStop,
    'setup:saved-servers': () => setup.savedServers(),
    'setup:forget-server': (login) => setup.forgetServer(login),
    'setup:connect': (login) => setup.connect(login),
    'setup:disconnect': ({ sessionId }) => setup.disconnect(sessionId),
    'setup:choose-tarball': () => setup.chooseTarball(),
    'setup:plan': (req) => setup.plan(req),
    'setup:install': ({ planId }) => setup.install(planId),
    'setup:cancel': ({ runId }) => setup.cancel(runId),
    'setup:service': ({ sessionId, installDir, action }) =>
      setup.service(sessionId, installDir, action),
    'doctor:run': ({ bootstrap, topic, frameBytes }) =>
      runDoctor(
        bootstrap,
        topic !== undefined && frameBytes !== undefined ? { topic, frameBytes } : {},
      ),
    'doctor:fix-on-server': async ({ sessionId, bootstrap, advertise }) => {
      await setup.fixAdvertised(sessionId, advertise);
      return runDoctor(bootstrap, {});
    },
  };

  async function handle(
    channel: string,
    rawArgs: unknown,
    ctx: CallContext = {},
  ): Promise<InvokeReply> {
    try {
      if (!isInvokeChannel(channel))
        return fail('INVALID_ARGUMENT', `Unknown call ${safeName(channel)}.`);
      if (disposed) return fail('CANCELLED', 'The app is shutting down.');
      const spec = invoke[channel];
      let parsed;
      try {
        parsed = spec.args.safeParse(rawArgs === undefined ? {} : rawArgs);
      } catch {
        return fail('INVALID_ARGUMENT', `The arguments for ${channel} could not be read.`);
      }
      if (!parsed.success) return fail('INVALID_ARGUMENT', describeIssues(channel, parsed.error));
      const run = handlers[channel] as (args: unknown, ctx: CallContext) => Promise<unknown>;
      const result = await run(parsed.data, ctx);
      const checked = spec.result.safeParse(result);
      if (!checked.success)
        return fail(
          'INTERNAL',
          `The answer to ${channel} did not match the contract: ${describeIssues(channel, checked.error)}`,
        );
      return { ok: true, result: checked.data };
    } catch (e) {
      return { ok: false, error: errorPayload(e) };
    }
  }

  return {
    handle,
    onEvent(listener) {
      eventListeners.add(listener);
      return () => void eventListeners.delete(listener);
    },
    onFrame(listener) {
      frameListeners.add(listener);
      return () => void frameListeners.delete(listener);
    },
    ackFrame(viewerId, client) {
      if (typeof viewerId !== 'string') return;
      const v = viewers.get(viewerId);
      if (v && (client === undefined || v.client === client)) v.gate.ack();
    },
    registerUpload(name, body) {
      if (disposed) return Promise.reject(new KvsError('CANCELLED', 'The app is shutting down.'));
      return videos.addUpload(name, body);
    },
    async releaseClient(client, opts = { jobs: false }) {
      const mine = [...viewers.values()].filter((v) => v.client === client);
      const myJobs = opts.jobs ? [...jobs.values()].filter((j) => j.client === client) : [];
      for (const j of myJobs) j.controller.abort();
      await Promise.all([...mine.map((v) => stopViewer(v)), ...myJobs.map((j) => j.ended)]);
    },
    maxUploadBytes: videos.maxUploadBytes,
    async dispose() {
      if (disposed) return;
      disposed = true;
      generation++;
      await closeConnection();
      status = disconnected;
      await setup.dispose();
      await videos.dispose();
      eventListeners.clear();
      frameListeners.clear();
    },
  };
}
