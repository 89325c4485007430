/**
 * The app services: the work behind every contract call, with no Electron in it.
 *
 * Electron's main process and `kvs serve` (the browser transport) are thin adapters around one
 * instance each: they hand it the raw channel + arguments of every call, send its events to the page,
 * and carry its frame packets (MessagePort / binary WebSocket messages).
 *
 * - `handle()` checks the channel, parses the arguments with the contract's zod schema, runs the
 *   call and answers `{ ok: true, result }` or `{ ok: false, error }`. It never throws, and every
 *   result is parsed with the contract's result schema before it leaves.
 * - One Kafka connection at a time. Viewers and produce jobs belong to it: disconnecting (or
 *   connecting elsewhere) stops them.
 * - Frames: each viewer has a {@link FrameGate} (newest frame wins, FRAMES_IN_FLIGHT un-acked).
 *
 * This file puts the services together; each is its own module with its own tests:
 * event-bus (events and frames out), connection-service, produce-jobs, viewers (with the frame
 * gate), doctor-service, setup-service (the wizard), video-registry, and dispatch (contract
 * calls to handlers).
 */
import path from 'node:path';
import type {
  ConnectionStatus,
  ConnectTarget,
  Diagnosis,
  InvokeReply,
  TopicSummary,
  VideoRef,
} from '../shared/contract.js';
import { PLAINTEXT } from '../shared/connection-security.js';
import { KvsError } from '../shared/errors.js';
import type { FfmpegPaths } from '../core/ffmpeg/locate-ffmpeg.js';
import { createTopic, deleteTopic, listTopics, topicTimeRange } from '../core/kafka/topics.js';
import { listTopicStreams } from '../core/kafka/stream-list.js';
import { ConnectionProfiles, PROFILES_FILE, type ResolvedTarget } from './connection-profiles.js';
import { createConnectionService } from './connection-service.js';
import { dispatch, type Handlers } from './dispatch.js';
import { runDoctor } from './doctor-service.js';
import { createEventBus, type EventListener, type FrameListener } from './event-bus.js';
import { createExportJobs } from './export-jobs.js';
import { DEFAULT_CONNECT_TIMEOUT_MS } from './limits.js';
import { createProduceJobs } from './produce-jobs.js';
import { importClientProperties } from './profile-import.js';
import { RecentConnections } from './recent-connections.js';
import type { SecretCipher } from './saved-servers.js';
import { createSetupService, type SetupServiceDeps } from './setup-service.js';
import { VideoRegistry } from './video-registry.js';
import { createViewers } from './viewers.js';

export { errorPayload } from './error-payload.js';
export type { EventListener, FrameListener, ServiceEventArgs } from './event-bus.js';
export {
  DEFAULT_CONNECT_TIMEOUT_MS,
  MAX_JOBS,
  MAX_VIEWERS,
  NOT_CONNECTED_MESSAGE,
  STATS_INTERVAL_MS,
} from './limits.js';

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

export interface AppServicesDeps {
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
  /**
   * Electron's save dialog for an MP4 export (it asks about replacing a file): an absolute path,
   * or null when cancelled. Absent in the browser: exports wait in userDataDir/exports for their
   * download (export-jobs.ts).
   */
  readonly chooseExportFile?: (defaultName: string) => Promise<string | null>;
  /** Electron's native open dialog for a Kafka .tgz (setup wizard). Absent in the browser. */
  readonly chooseTarball?: () => Promise<string | null>;
  /** The OS keychain for remembered SSH passwords (Electron safeStorage); absent = never remembered. */
  readonly cipher?: SecretCipher | null;
  /** Setup wizard seams for tests (default: the real SSH layer and check from this computer). */
  readonly setup?: Pick<SetupServiceDeps, 'openSsh' | 'verify'>;
}

export interface AppServices {
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
  /** Browser: an export's finished file waiting for its download (GET /exports/<id>), else null. */
  exportDownload(exportId: string): { readonly file: string; readonly name: string } | null;
  /** That file was downloaded: remove it. */
  exportDownloaded(exportId: string): Promise<void>;
  /** A caller went away (a WebSocket closed, a page reloaded): stop its viewers (and jobs, if asked). */
  releaseClient(client: string, opts?: ReleaseOptions): Promise<void>;
  readonly maxUploadBytes: number;
  /** Stop every viewer and job, drop the connection, delete uploads. Idempotent. */
  dispose(): Promise<void>;
}

export function createAppServices(deps: AppServicesDeps): AppServices {
  const now = deps.now ?? (() => performance.now());
  const events = createEventBus();
  const recent = new RecentConnections(deps.userDataDir);
  const profiles = new ConnectionProfiles(
    path.join(deps.userDataDir, PROFILES_FILE),
    deps.cipher ?? null,
  );
  const videos = new VideoRegistry({
    uploadsDir: path.join(deps.userDataDir, 'uploads'),
    ...(deps.maxUploadBytes !== undefined ? { maxUploadBytes: deps.maxUploadBytes } : {}),
  });
  let disposed = false;

  const connection = createConnectionService({
    recent,
    connectTimeoutMs: deps.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    emit: events.emit,
    // viewers and jobs run on the connection: they stop before it goes
    stopStreams: () => Promise.all([viewers.stopAll(), jobs.stopAll(), exports.stopAll()]),
  });
  const jobs = createProduceJobs({
    videos,
    connection,
    emit: events.emit,
    now,
    ffmpeg: deps.ffmpeg,
  });
  const exports = createExportJobs({
    connection,
    emit: events.emit,
    now,
    ffmpeg: deps.ffmpeg,
    chooseFile: deps.chooseExportFile,
    downloadsDir: deps.chooseExportFile ? undefined : path.join(deps.userDataDir, 'exports'),
  });
  const viewers = createViewers({ connection, events, ffmpeg: deps.ffmpeg });

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
      step: (e) => events.emit('setup:step', e),
      log: (runId, lines, node) =>
        events.emit('setup:log', node === undefined ? { runId, lines } : { runId, node, lines }),
      ended: (e) => events.emit('setup:ended', e),
    },
    ...deps.setup,
  });
  const doctor = (
    target: ResolvedTarget,
    opts: { topic?: string; frameBytes?: number },
  ): Promise<Diagnosis> =>
    runDoctor(target.bootstrap, { ...opts, security: target.security }, (host) =>
      setup.sessionFor(host),
    );

  /** Bumped by every connect and disconnect: one overtaken while its profile was read stops there. */
  let connectAttempts = 0;
  async function connect(target: ConnectTarget): Promise<ConnectionStatus> {
    const attempt = (connectAttempts += 1);
    const resolved = await profiles.resolve(target);
    if (attempt !== connectAttempts)
      throw new KvsError('CANCELLED', 'A disconnect or another connect came first.');
    const status = await connection.connect(resolved);
    if (status.state === 'connected') await profiles.connected(resolved);
    return status;
  }

  async function topicsList(): Promise<TopicSummary[]> {
    const c = connection.require();
    const topics = await listTopics(c.handle);
    return topics.map((t) => ({
      name: t.name,
      partitions: t.partitions,
      messages: t.messages,
      firstTimestamp: t.firstTimestamp,
      lastTimestamp: t.lastTimestamp,
      internal: t.internal,
      replicationFactor: t.replicationFactor,
      underReplicated: t.underReplicated,
      offline: t.offline,
    }));
  }

  async function chooseVideo(): Promise<VideoRef | null> {
    if (!deps.chooseVideo)
      throw new KvsError(
        'INVALID_ARGUMENT',
        'Choosing a file with a dialog works in the desktop app only. Upload the video instead.',
      );
    const picked = await deps.chooseVideo();
    return picked === null ? null : videos.addPath(picked);
  }

  async function openPath({ path: file }: { readonly path: string }): Promise<VideoRef> {
    if (!deps.allowOpenPath)
      throw new KvsError(
        'INVALID_ARGUMENT',
        'Opening a video by its path is turned off here. Choose or upload the video instead.',
      );
    return videos.addPath(file);
  }

  const handlers: Handlers = {
    'connection:connect': connect,
    'connection:disconnect': () => {
      connectAttempts += 1;
      return connection.disconnect();
    },
    'connection:status': () => Promise.resolve(connection.status()),
    'connection:recent': () => recent.get(),
    'profiles:list': async () => {
      await profiles.seedFromRecent(await recent.get());
      return { profiles: await profiles.list(), canRemember: profiles.canRemember };
    },
    'profiles:save': (req) => profiles.save(req),
    'profiles:delete': async ({ id }) => {
      await profiles.remove(id);
      return {};
    },
    'profiles:import': (req) => importClientProperties(req),
    'topics:list': topicsList,
    'topics:create': async ({ topic, partitions }) => {
      await createTopic(
        connection.require().handle,
        topic,
        partitions === undefined ? {} : { partitions },
      );
      return {};
    },
    'topics:delete': async ({ topic }) => {
      await deleteTopic(connection.require().handle, topic);
      return {};
    },
    'video:choose': chooseVideo,
    'video:open-path': openPath,
    'produce:start': (req, ctx) => jobs.start(req, ctx),
    'produce:stop': (args) => jobs.stop(args),
    'export:start': (req, ctx) => exports.start(req, ctx),
    'export:cancel': (args) => exports.cancel(args),
    'watch:start': (req, ctx) => viewers.start(req, ctx),
    'watch:stop': (args, ctx) => viewers.stop(args, ctx),
    'watch:control': (args, ctx) => viewers.control(args, ctx),
    'watch:fallback': (args, ctx) => viewers.fallback(args, ctx),
    'topics:range': ({ topic }) => topicTimeRange(connection.require().handle, topic),
    'topics:streams': ({ topic }) => listTopicStreams(connection.require().handle, topic),
    'setup:saved-servers': () => setup.savedServers(),
    'setup:forget-server': (login) => setup.forgetServer(login),
    'setup:connect': (login) => setup.connect(login),
    'setup:disconnect': ({ sessionId }) => setup.disconnect(sessionId),
    'setup:choose-tarball': () => setup.chooseTarball(),
    'setup:plan': (req) => setup.plan(req),
    'setup:install': ({ planId }) => setup.install(planId),
    'setup:cancel': ({ runId }) => setup.cancel(runId),
    'setup:cluster-plan': (req) => setup.clusterPlan(req),
    'setup:cluster-install': ({ planId }) => setup.clusterInstall(planId),
    'setup:rolling-restart': (req) => setup.rollingRestart(req),
    'setup:service': ({ sessionId, installDir, action }) =>
      setup.service(sessionId, installDir, action),
    'doctor:run': async ({ topic, frameBytes, ...target }) =>
      doctor(
        await profiles.resolve(target),
        topic !== undefined && frameBytes !== undefined ? { topic, frameBytes } : {},
      ),
    'doctor:fix-on-server': async ({ sessionId, bootstrap, advertise }) => {
      await setup.fixAdvertised(sessionId, advertise);
      return doctor({ bootstrap, security: PLAINTEXT, profileId: null }, {});
    },
  };

  return {
    handle: (channel, rawArgs, ctx = {}): Promise<InvokeReply> =>
      dispatch(handlers, channel, rawArgs, ctx, disposed),
    onEvent: (listener: EventListener) => events.onEvent(listener),
    onFrame: (listener: FrameListener) => events.onFrame(listener),
    ackFrame: (viewerId, client) => viewers.ack(viewerId, client),
    registerUpload(name, body) {
      if (disposed) return Promise.reject(new KvsError('CANCELLED', 'The app is shutting down.'));
      return videos.addUpload(name, body);
    },
    async releaseClient(client, opts = { jobs: false }) {
      await Promise.all([
        viewers.release(client),
        opts.jobs ? jobs.release(client) : undefined,
        opts.jobs ? exports.release(client) : undefined,
      ]);
    },
    exportDownload: (exportId) => exports.download(exportId),
    exportDownloaded: (exportId) => exports.downloaded(exportId),
    maxUploadBytes: videos.maxUploadBytes,
    async dispose() {
      if (disposed) return;
      disposed = true;
      await connection.dispose();
      await exports.dispose();
      await setup.dispose();
      await videos.dispose();
      events.clear();
    },
  };
}
