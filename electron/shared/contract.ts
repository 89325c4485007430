/**
 * THE contract between the UI and the work. Electron's main + preload, the
 * browser transport (`kvs serve`) and the renderer all derive their types from
 * this file, and every message that crosses a process or network boundary is
 * parsed with these zod schemas on the receiving side.
 *
 * - `invoke`: request → response calls (the UI asks, the app services answer).
 * - `events`: app services → UI notifications (progress, state, stats).
 * - Frames do NOT travel as events: they go as binary packets on their own
 *   channel (MessagePort in Electron, binary WebSocket messages in the browser);
 *   see frame-packet.ts.
 *
 * Over 450 lines on purpose: this is the one place a reader learns every call and event, and
 * every shape they carry; splitting it would spread the contract over files that must change
 * together.
 */
import { z } from 'zod';
import type { DecodedFrame } from './frame-packet.js';
import type { EventChannel, InvokeChannel } from './ipc-channels.js';
import { topicNameProblem } from './topic-name.js';
import { streamNameProblem } from './stream-name.js';
import { ConnectionSecurity } from './connection-security.js';
import { ProfileName, ProfileSecrets, ProfileView, PublicSecurity } from './connection-profile.js';

export {
  isEventChannel,
  isInvokeChannel,
  type EventChannel,
  type InvokeChannel,
} from './ipc-channels.js';

// ---- shared pieces -----------------------------------------------------------------------------

export const ErrorPayload = z.object({
  code: z.string(),
  message: z.string(),
  detail: z.string().optional(),
});
export type ErrorPayload = z.infer<typeof ErrorPayload>;

const Id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);
const TopicName = z.string().superRefine((name, ctx) => {
  const problem = topicNameProblem(name);
  if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
});
const Bootstrap = z.string().max(4096);
/** A stream's name (shared/stream-name.ts): 1–100 characters of any script, trimmed by the app services. */
const StreamName = z
  .string()
  .max(1000)
  .superRefine((name, ctx) => {
    const problem = streamNameProblem(name);
    if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
  });
/** A stream's id: the messages' key and `kvs-stream-id` header. */
const StreamId = z.string().min(1).max(256);

export const ConnectionState = z.enum(['disconnected', 'connecting', 'connected', 'failed']);
export type ConnectionState = z.infer<typeof ConnectionState>;

export const ConnectionStatus = z.object({
  state: ConnectionState,
  bootstrap: z.string().nullable(),
  /** Cluster facts once connected. */
  clusterId: z.string().nullable(),
  brokers: z.array(z.object({ nodeId: z.number(), host: z.string(), port: z.number() })),
  error: ErrorPayload.nullable(),
  /**
   * The cluster's shape (issue 16), refreshed every 5 s while connected; optional so that older
   * events parse. controllerId: the active controller (in KRaft the quorum leader). quorum: the
   * KRaft metadata quorum as DescribeQuorum tells it (null: not KRaft, or not known — a TLS/SASL
   * connection); a voter's lag is the leader's log end offset minus its own (null: unknown).
   * downBrokers: brokers seen earlier on this connection, or voters that are not caught up, that
   * are not in the cluster's metadata, since when (ms since the epoch); host/port null when the
   * node was never seen.
   */
  controllerId: z.number().nullable().optional(),
  quorum: z
    .object({
      leaderId: z.number().nullable(),
      voters: z.array(z.object({ nodeId: z.number(), lag: z.number().nullable() })),
    })
    .nullable()
    .optional(),
  downBrokers: z
    .array(
      z.object({
        nodeId: z.number(),
        host: z.string().nullable(),
        port: z.number().nullable(),
        since: z.number(),
      }),
    )
    .optional(),
});
export type ConnectionStatus = z.infer<typeof ConnectionStatus>;
/** A voter at most this many records behind the quorum leader counts as caught up. */
export const QUORUM_CAUGHT_UP_LAG = 10;

export const TopicSummary = z.object({
  name: z.string(),
  partitions: z.number(),
  messages: z.number(),
  firstTimestamp: z.number().nullable(),
  lastTimestamp: z.number().nullable(),
  internal: z.boolean(),
  /** Replicas per partition; partitions short of in-sync replicas; partitions without a leader. */
  replicationFactor: z.number(),
  underReplicated: z.number(),
  offline: z.number(),
});
export type TopicSummary = z.infer<typeof TopicSummary>;

export const VideoRef = z.object({
  /** Opaque id the app services give a chosen/uploaded file; the UI never holds a path. */
  videoId: Id,
  name: z.string(),
  sizeBytes: z.number(),
});
export type VideoRef = z.infer<typeof VideoRef>;

export const ProduceRequest = z
  .object({
    videoId: Id,
    topic: TopicName,
    fps: z.number().min(0.1).max(240).optional(),
    maxWidth: z.number().int().min(16).max(8192).optional(),
    maxHeight: z.number().int().min(16).max(8192).optional(),
    /** JPEG quality. */
    quality: z.number().int().min(1).max(100).optional(),
    realtime: z.boolean(),
    loop: z.boolean(),
    format: z.enum(['kvs', 'raw']),
    /** One JPEG per message, or one H.264 access unit (absent: JPEG). The raw format is JPEG only. */
    codec: z.enum(['jpeg', 'h264']).optional(),
    /** H.264: bitrate in kbit/s (absent: from the size), or a CRF instead. */
    bitrateKbps: z.number().int().min(50).max(100_000).optional(),
    crf: z.number().int().min(0).max(51).optional(),
    /** H.264: seconds between keyframes (absent: 1). */
    keyframeIntervalS: z.number().min(0.1).max(60).optional(),
    /** The stream's name, sent in every frame's `kvs-stream-name` header (absent: none). */
    streamName: StreamName.optional(),
  })
  .refine((r) => !(r.codec === 'h264' && r.format === 'raw'), {
    message: "The tutorial's raw format carries JPEG images only: choose JPEG for it.",
    path: ['codec'],
  })
  .refine((r) => r.bitrateKbps === undefined || r.crf === undefined, {
    message: 'Choose either a bitrate or a CRF, not both.',
    path: ['crf'],
  })
  .refine(
    (r) =>
      r.codec === 'h264' ||
      (r.bitrateKbps === undefined && r.crf === undefined && r.keyframeIntervalS === undefined),
    { message: 'A bitrate, CRF or keyframe interval applies to H.264 only.', path: ['codec'] },
  );
export type ProduceRequest = z.infer<typeof ProduceRequest>;

/** Which broker leads a partition, and its last move seen (information: a stream goes on there). */
export const PartitionLeader = z.object({
  partition: z.number().int().nonnegative(),
  /** The broker (node id) leading it now. */
  nodeId: z.number().int(),
  /** The broker that led it before the last move seen; null when none was seen. */
  previous: z.number().int().nullable(),
  /** When that move was seen (ms since the epoch); null when none was. */
  movedAt: z.number().nullable(),
});
export type PartitionLeader = z.infer<typeof PartitionLeader>;

export const ProduceProgressEvent = z.object({
  jobId: Id,
  frames: z.number(),
  acked: z.number(),
  failed: z.number(),
  bytes: z.number(),
  elapsedMs: z.number(),
  fps: z.number(),
  bytesPerSec: z.number(),
  shrunk: z.number(),
  /** Estimated frames in the file; null when looping or unknown. */
  total: z.number().nullable(),
  /**
   * The producer's link to the broker: connected; reconnecting (sends are retried, frames wait,
   * nothing is lost yet); down (gone longer than the retry budget: frames are counted as failed
   * until it is back).
   */
  brokerState: z.enum(['connected', 'reconnecting', 'down']),
  /** Why the link is not connected; null when it is. */
  brokerError: ErrorPayload.nullable(),
  /**
   * The broker leading the partition the stream goes to, and its last move while the job ran
   * (information, not an error: with replicas the stream goes on on the new leader). null until
   * known; absent from older app services.
   */
  leader: PartitionLeader.nullable().optional(),
});
export type ProduceProgressEvent = z.infer<typeof ProduceProgressEvent>;

export const ProduceEndedEvent = z.object({
  jobId: Id,
  ok: z.boolean(),
  frames: z.number(),
  acked: z.number(),
  failed: z.number(),
  bytes: z.number(),
  durationMs: z.number(),
  cancelled: z.boolean(),
  error: ErrorPayload.nullable(),
});
export type ProduceEndedEvent = z.infer<typeof ProduceEndedEvent>;

export const WatchFrom = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('live') }),
  z.object({ kind: z.literal('beginning') }),
  z.object({ kind: z.literal('timestamp'), ms: z.number().int().nonnegative() }),
  /** One message (a frame a step away from the one on screen); `ms` is its time. */
  z.object({
    kind: z.literal('offset'),
    partition: z.number().int().nonnegative().max(100_000),
    offset: z.string().regex(/^\d{1,19}$/),
    ms: z.number().int().nonnegative(),
  }),
]);
export type WatchFrom = z.infer<typeof WatchFrom>;

/** Playback speeds a replay offers (× the recorded pace). */
export const WATCH_SPEEDS = [0.25, 0.5, 1, 1.5, 2, 4] as const;
const Speed = z.number().min(0.25).max(4);

/** What a viewer's timeline asks of its viewer. */
export const WatchControl = z.discriminatedUnion('op', [
  /** Go to a place; `paused`: show the frame there and stay paused (a step, a scrub while paused). */
  z.object({ op: z.literal('seek'), viewerId: Id, from: WatchFrom, paused: z.boolean() }),
  z.object({ op: z.literal('pause'), viewerId: Id }),
  /** Play on from where it is (a paused live viewer goes on as a replay, paced when `pace`). */
  z.object({ op: z.literal('play'), viewerId: Id }),
  z.object({ op: z.literal('speed'), viewerId: Id, speed: Speed }),
]);
export type WatchControl = z.infer<typeof WatchControl>;

/**
 * The page cannot decode a stream of this viewer (`VideoDecoder.isConfigSupported` said no to
 * `codec`): the app services decode that stream to JPEG for this viewer (ffmpeg), from its next
 * keyframe on, marked `transcodedFrom` in the frame packets.
 */
export const WatchFallback = z.object({
  viewerId: Id,
  /** The stream (the producer's key); null for frames without one. */
  streamId: z.string().max(256).nullable(),
  codec: z.string().max(64),
});
export type WatchFallback = z.infer<typeof WatchFallback>;

/** A topic's retained time range (message times, ms since epoch); null when it holds nothing. */
export const TopicRange = z.object({
  firstMs: z.number().nullable(),
  lastMs: z.number().nullable(),
});
export type TopicRange = z.infer<typeof TopicRange>;

export const WatchRequest = z.object({
  /**
   * Chosen by the page (unique per page, see renderer/src/transport/viewer-id.ts), so it can
   * listen for the viewer's frames before asking: the first frames may arrive before the reply.
   */
  viewerId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  topic: TopicName,
  from: WatchFrom,
  pace: z.boolean(),
  /** With `pace`, × the recorded pace (default 1). */
  speed: Speed.optional(),
  /**
   * Play only this stream of the topic (its id); absent: every stream. Applied by the app services
   * before frames are sent, so the others cost this page nothing.
   */
  streamId: StreamId.optional(),
});
export type WatchRequest = z.infer<typeof WatchRequest>;

/** One stream a topic carries, as its recent messages show it (`topics:streams`). */
export const StreamSummary = z.object({
  /** Its `kvs-stream-id` (= the key); null: plain images without one (e.g. the tutorial's producer). */
  id: StreamId.nullable(),
  /** Its `kvs-stream-name`; null when the producer gave none. */
  name: z.string().max(1000).nullable(),
  /** The partition its newest frame was in (one stream stays in one partition: its key's). */
  partition: z.number().int().nonnegative(),
  type: z.enum(['image/jpeg', 'image/png', 'video/h264']),
  /** H.264: the codec string (`avc1.PPCCLL`) when known; null for images. */
  codec: z.string().max(64).nullable(),
  width: z.number().nullable(),
  height: z.number().nullable(),
  fps: z.number().nullable(),
  /** Frames of it among the messages read. */
  frames: z.number().int().nonnegative(),
  /** Its newest frame's sequence number (null: plain images) and message time (ms since epoch). */
  lastSeq: z.number().nullable(),
  lastFrameAt: z.number(),
  /** Its end-of-stream marker came after its newest frame. */
  ended: z.boolean(),
});
export type StreamSummary = z.infer<typeof StreamSummary>;

/** The streams of a topic, from the newest messages of each partition (core/kafka/stream-list.ts). */
export const TopicStreams = z.object({
  topic: z.string(),
  partitions: z.number().int().nonnegative(),
  /** Newest frame first. */
  streams: z.array(StreamSummary),
  /** Messages read, and those that were not frames (garbage, text; skipped). */
  scanned: z.number().int().nonnegative(),
  skipped: z.number().int().nonnegative(),
  /** False when the time limit ended the read before every partition was read to its end. */
  complete: z.boolean(),
});
export type TopicStreams = z.infer<typeof TopicStreams>;

export const ViewerState = z.enum(['connecting', 'playing', 'reconnecting', 'stopped', 'failed']);

export const WatchStatsEvent = z.object({
  viewerId: Id,
  state: ViewerState,
  frames: z.number(),
  bytes: z.number(),
  skipped: z.number(),
  gaps: z.number(),
  repeats: z.number(),
  /** Frames the app services dropped because the screen fell behind (newest frame wins). */
  dropped: z.number(),
  error: ErrorPayload.nullable(),
  /**
   * The broker leading the topic's partition (of several: the one whose leader moved last, else
   * the first), and its last move while the viewer ran — information, not an error: the viewer
   * goes on reading from the new leader. null until known; absent from older app services.
   */
  leader: PartitionLeader.nullable().optional(),
});
export type WatchStatsEvent = z.infer<typeof WatchStatsEvent>;

// ---- export to MP4 ------------------------------------------------------------------------------

/** A time range of one stream of a topic, to an MP4 file (core/export). */
export const ExportRequest = z
  .object({
    topic: TopicName,
    /** The stream (its kvs-stream-id); null or absent: the first stream seen. */
    streamId: z.string().min(1).max(256).nullable().optional(),
    /** Message times (ms since the epoch); absent: the beginning / the end of the topic. */
    fromMs: z.number().int().nonnegative().optional(),
    toMs: z.number().int().nonnegative().optional(),
    /** Replace an existing file (the desktop's save dialog has asked already). */
    force: z.boolean().optional(),
  })
  .refine((r) => r.fromMs === undefined || r.toMs === undefined || r.toMs > r.fromMs, {
    message: 'The end of the range must be after its start.',
    path: ['toMs'],
  });
export type ExportRequest = z.infer<typeof ExportRequest>;

/** Throttled while an export runs; `share`: 0…1 of the range done. */
export const ExportProgressEvent = z.object({
  exportId: Id,
  frames: z.number(),
  share: z.number().min(0).max(1),
});
export type ExportProgressEvent = z.infer<typeof ExportProgressEvent>;

export const ExportEndedEvent = z.object({
  exportId: Id,
  ok: z.boolean(),
  /** Stopped by export:cancel (or the page going away); `ok` false, `error` null. */
  cancelled: z.boolean(),
  /** The file's name (no folder); null when nothing was written. */
  fileName: z.string().nullable(),
  frames: z.number(),
  durationMs: z.number(),
  bytes: z.number(),
  error: ErrorPayload.nullable(),
  /** Browser: the same-origin path that downloads the file (once); desktop: null (it is saved). */
  download: z.string().nullable(),
});
export type ExportEndedEvent = z.infer<typeof ExportEndedEvent>;

// ---- setup wizard (install Kafka on a server over SSH) --------------------------------------------

/** What the wizard and `kvs setup` start from. */
export const SETUP_DEFAULTS = {
  sshPort: 22,
  kafkaVersion: { kraft: '4.1.1', zookeeper: '3.9.1' },
  installDir: '/opt/kafka',
  /** The Apache archive keeps every release (downloads.apache.org only the newest ones). */
  mirrorUrl: 'https://archive.apache.org/dist',
  kafkaPort: 9092,
} as const;

const Fingerprint = z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/);
const Secret = z.string().min(1).max(1024);

export const SshAuthInput = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('password'), password: Secret }),
  /** The private key's text (OpenSSH/PEM), read by the page from a file the person picked. */
  z.object({
    kind: z.literal('key'),
    privateKey: z.string().min(1).max(65_536),
    passphrase: Secret.optional(),
  }),
  z.object({ kind: z.literal('agent') }),
  /** The password remembered (encrypted by the OS keychain) for this user@host:port. */
  z.object({ kind: z.literal('saved') }),
]);
export type SshAuthInput = z.infer<typeof SshAuthInput>;

export const SetupLogin = z.object({
  /** An IP address (IPv6 without brackets) or a host name: nothing a shell or ssh option could read. */
  host: z
    .string()
    .max(253)
    .regex(
      /^[A-Za-z0-9:][A-Za-z0-9.:-]*$/,
      'Enter the server\'s IP address or host name (letters, digits, ".", "-" and ":").',
    ),
  port: z.number().int().min(1).max(65535),
  user: z
    .string()
    .max(64)
    .regex(
      /^[A-Za-z0-9_][A-Za-z0-9._-]*$/,
      'Enter the user name on the server (letters, digits, ".", "_" and "-").',
    ),
  auth: SshAuthInput,
  /** sudo's password; absent = the login password (password logins), or sudo without one. */
  sudoPassword: Secret.optional(),
  /** The fingerprint the person confirmed for a host not seen before: pinned only if the server shows exactly this key. */
  trustHostKey: Fingerprint.optional(),
  /** Remember the password (desktop app only: encrypted with the OS keychain, never plain text). */
  remember: z.boolean(),
});
export type SetupLogin = z.infer<typeof SetupLogin>;

export const SetupServerFacts = z.object({
  os: z.object({
    prettyName: z.string().nullable(),
    id: z.string().nullable(),
    versionId: z.string().nullable(),
    supported: z.boolean(),
    reason: z.string().nullable(),
  }),
  arch: z.string().nullable(),
  systemd: z.boolean().nullable(),
  diskFreeKb: z.number().nullable(),
  java: z.object({ major: z.number(), version: z.string() }).nullable(),
  kafkaVersion: z.string().nullable(),
  zookeeperdAvailable: z.boolean(),
  portsInUse: z.array(z.number()).nullable(),
  ufw: z.enum(['active', 'inactive', 'absent']).nullable(),
  user: z.string().nullable(),
});
export type SetupServerFacts = z.infer<typeof SetupServerFacts>;

export const SetupConnectResult = z.discriminatedUnion('state', [
  /** First visit: show the key and ask; connect again with trustHostKey to pin it. */
  z.object({
    state: z.literal('unknown-host'),
    host: z.string(),
    port: z.number(),
    keyType: z.string(),
    fingerprint: z.string(),
  }),
  z.object({
    state: z.literal('connected'),
    sessionId: Id,
    hostKey: z.object({ keyType: z.string(), fingerprint: z.string() }),
    facts: SetupServerFacts,
    /** Whether the password is now remembered (false when not asked for). */
    remembered: z.boolean(),
  }),
]);
export type SetupConnectResult = z.infer<typeof SetupConnectResult>;

export const SetupPlanRequest = z.object({
  sessionId: Id,
  mode: z.enum(['kraft', 'zookeeper']),
  kafkaVersion: z.string().min(1).max(32),
  /** The IPv4 every client must bootstrap from (advertised.listeners). */
  advertise: z.string().min(1).max(64),
  installDir: z.string().min(1).max(256),
  source: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('download'), mirrorUrl: z.string().min(1).max(2048) }),
    /** A .tgz chosen or uploaded on this computer (an id from setup:choose-tarball or an upload). */
    z.object({ kind: z.literal('upload'), fileId: Id }),
  ]),
  zookeeper: z.enum(['auto', 'zookeeperd', 'bundled']),
  openFirewall: z.boolean(),
  /**
   * "TLS + SCRAM login": a CA and a server certificate made on the server, SASL_SSL for clients and
   * this first SCRAM-SHA-512 user (absent or null: PLAINTEXT). The password reaches the server on a
   * command's stdin only; shared/setup-validate.ts says which names and passwords are allowed.
   */
  secure: z
    .object({ scramUser: z.string().min(1).max(64), scramPassword: z.string().min(1).max(256) })
    .nullable()
    .optional(),
});
export type SetupPlanRequest = z.infer<typeof SetupPlanRequest>;

export const SetupPlanView = z.object({
  planId: Id,
  mode: z.enum(['kraft', 'zookeeper']),
  kafkaVersion: z.string(),
  bootstrap: z.string(),
  notes: z.array(z.string()),
  steps: z.array(
    z.object({
      id: z.string(),
      title: z.string(),
      why: z.string(),
      sudo: z.boolean(),
      commands: z.array(z.string()),
    }),
  ),
});
export type SetupPlanView = z.infer<typeof SetupPlanView>;

/** Servers in a cluster install (static quorum of combined broker + controller nodes). */
export const CLUSTER_SIZES = [3, 5] as const;

/**
 * A KRaft cluster on 3 or 5 servers the wizard is logged in to (setup:connect each, own or shared
 * login). Node order = node.id order for a new cluster; a re-run keeps each server's node.id and the
 * cluster id from its storage.
 */
export const ClusterPlanRequest = z.object({
  nodes: z
    .array(
      z.object({
        sessionId: Id,
        /** The IPv4 clients and the other nodes reach this server at (advertised.listeners). */
        advertise: z.string().min(1).max(64),
      }),
    )
    .refine((n) => (CLUSTER_SIZES as readonly number[]).includes(n.length), {
      message: `A cluster has ${CLUSTER_SIZES.join(' or ')} servers.`,
    }),
  kafkaVersion: z.string().min(1).max(32),
  installDir: z.string().min(1).max(256),
  source: SetupPlanRequest.shape.source,
  openFirewall: z.boolean(),
});
export type ClusterPlanRequest = z.infer<typeof ClusterPlanRequest>;

export const ClusterPlanView = z.object({
  planId: Id,
  clusterId: z.string(),
  /** true: the servers' storage already holds this cluster id (a re-run); false: made now. */
  clusterIdKept: z.boolean(),
  kafkaVersion: z.string(),
  /** Every node's advertised host:port, comma-separated. */
  bootstrap: z.string(),
  /** How the controller quorum is set, and why (shown above the plan). */
  quorum: z.string(),
  nodes: z.array(
    z.object({
      sessionId: Id,
      /** The address the wizard logged in to. */
      host: z.string(),
      nodeId: z.number().int(),
      advertise: z.string(),
      /** Seconds this server's clock is ahead (+) or behind (−) this computer's; null: unknown. */
      clockSkewS: z.number().nullable(),
      /** Per-node preflight (clock, and the plan's own notes). */
      warnings: z.array(z.string()),
      steps: SetupPlanView.shape.steps,
    }),
  ),
});
export type ClusterPlanView = z.infer<typeof ClusterPlanView>;

/** Restart an installed cluster one server at a time, each back in sync before the next. */
export const RollingRestartRequest = z.object({
  sessionIds: z.array(Id).refine((n) => (CLUSTER_SIZES as readonly number[]).includes(n.length), {
    message: `A cluster has ${CLUSTER_SIZES.join(' or ')} servers.`,
  }),
  installDir: z.string().min(1).max(256),
  /** The cluster's brokers (host:port, comma-separated), watched for partitions back in sync. */
  bootstrap: z.string().min(1).max(2048),
});
export type RollingRestartRequest = z.infer<typeof RollingRestartRequest>;

export const SetupStepStatus = z.enum([
  'pending',
  'running',
  'changed',
  'unchanged',
  'checked',
  'failed',
  'cancelled',
]);
export type SetupStepStatus = z.infer<typeof SetupStepStatus>;

export const SetupStepEvent = z.object({
  runId: Id,
  /**
   * A cluster run (setup:cluster-install, setup:rolling-restart): the server this step ran on, as
   * its index in the plan's `nodes` (or the request's `sessionIds`); `index`/`stepCount` then count
   * that server's steps. Absent: one server's install, or a cluster run's checks from this computer
   * (their own list, `index` of `stepCount`).
   */
  node: z.number().int().min(0).optional(),
  /** 0-based; for one server's install the last step (index stepCount - 1) is the check from this computer. */
  index: z.number(),
  stepCount: z.number(),
  stepId: z.string(),
  title: z.string(),
  status: SetupStepStatus,
  error: z.string().optional(),
});
export type SetupStepEvent = z.infer<typeof SetupStepEvent>;

export const SetupLogEvent = z.object({
  runId: Id,
  /** A cluster run: the server these lines came from (absent: this computer's checks). */
  node: z.number().int().min(0).optional(),
  lines: z.array(z.string()),
});
export type SetupLogEvent = z.infer<typeof SetupLogEvent>;

export const SetupEndedEvent = z.object({
  runId: Id,
  ok: z.boolean(),
  cancelled: z.boolean(),
  changed: z.number(),
  unchanged: z.number(),
  /** The check from this computer (null when the install did not get that far). */
  verify: z
    .object({
      bootstrap: z.string(),
      brokers: z.array(z.string()),
      framesSent: z.number(),
      framesReceived: z.number(),
      problem: z.string().nullable(),
    })
    .nullable(),
  error: ErrorPayload.nullable(),
  /**
   * A secure install (TLS + SCRAM login) that went through: what a connection profile needs that is
   * not secret (the page still holds the password it sent). Null for a PLAINTEXT install or a failure.
   */
  secure: z
    .object({
      /** The advertised address, host:port (SASL_SSL). */
      bootstrap: z.string(),
      /** The certificate of the CA the wizard made on the server (PEM). */
      ca: z.string().max(64 * 1024),
      username: z.string(),
      mechanism: z.literal('SCRAM-SHA-512'),
    })
    .nullable(),
  /** A cluster install that went through: what the checks from this computer saw (else null/absent). */
  cluster: z
    .object({
      clusterId: z.string(),
      /** Every broker's advertised host:port, comma-separated: what to connect to. */
      bootstrap: z.string(),
      nodes: z.array(z.object({ nodeId: z.number().int(), advertise: z.string() })),
      quorumLeader: z.number().int().nullable(),
      /** The check topic's replicas and in-sync replicas after the acks=all round trip. */
      replicas: z.number().int().nullable(),
      inSync: z.number().int().nullable(),
    })
    .nullable()
    .optional(),
});
export type SetupEndedEvent = z.infer<typeof SetupEndedEvent>;

export const SavedServer = z.object({
  host: z.string(),
  port: z.number(),
  user: z.string(),
  hasPassword: z.boolean(),
});
export type SavedServer = z.infer<typeof SavedServer>;

export const ServiceAction = z.enum(['status', 'start', 'stop', 'restart']);
export const ServiceState = z.object({
  kafka: z.boolean(),
  zookeeper: z.boolean().nullable(),
  installDir: z.string(),
  kafkaVersion: z.string(),
  mode: z.enum(['kraft', 'zookeeper']),
});
export type ServiceState = z.infer<typeof ServiceState>;

// ---- connection doctor ------------------------------------------------------------------------------

export const DoctorCheck = z.object({
  /** parse · resolve · tcp · api-versions · metadata · advertised · compare · topic */
  id: z.string(),
  title: z.string(),
  status: z.enum(['ok', 'failed', 'warning', 'skipped']),
  /** What was seen, in plain words (e.g. "10.0.0.5:9092 answered in 3 ms"). */
  detail: z.string(),
  ms: z.number(),
});
export type DoctorCheck = z.infer<typeof DoctorCheck>;

export const DoctorFinding = z.object({
  /** Stable: ADVERTISED_LOOPBACK, ADVERTISED_UNRESOLVABLE, … (see electron/core/doctor/findings.ts). */
  code: z.string(),
  severity: z.enum(['error', 'warning']),
  message: z.string(),
  /** The exact change, e.g. "advertised.listeners=PLAINTEXT://10.0.0.5:9092 in config/server.properties, then restart Kafka". */
  fix: z.string(),
});
export type DoctorFinding = z.infer<typeof DoctorFinding>;

export const DoctorBroker = z.object({
  nodeId: z.number(),
  advertised: z.string(),
  reachable: z.boolean(),
  clusterId: z.string().nullable(),
});

export const Diagnosis = z.object({
  ok: z.boolean(),
  bootstrap: z.string(),
  clusterId: z.string().nullable(),
  controllerId: z.number().nullable(),
  /** e.g. "3.9 or newer", from the versions the broker supports; null when it did not answer. */
  brokerVersion: z.string().nullable(),
  checks: z.array(DoctorCheck),
  brokers: z.array(DoctorBroker),
  findings: z.array(DoctorFinding),
  durationMs: z.number(),
  /** Set when the setup wizard is logged in to the server behind this bootstrap and can fix it there. */
  serverFix: z.object({ sessionId: Id, host: z.string(), advertise: z.string() }).nullable(),
});
export type Diagnosis = z.infer<typeof Diagnosis>;

/**
 * Where and how to connect: typed settings (absent `security`: PLAINTEXT), or a saved profile by id
 * with the secrets it does not remember (the service asks for them with PROFILE_SECRETS_NEEDED).
 */
const ConnectDirect = z.object({ bootstrap: Bootstrap, security: ConnectionSecurity.optional() });
const ConnectProfile = z.object({ profileId: Id, secrets: ProfileSecrets.optional() });
// strict: `{ bootstrap, profileId }` is refused, never read as typed settings without the profile's
export const ConnectTarget = z.union([ConnectDirect.strict(), ConnectProfile.strict()]);
export type ConnectTarget = z.infer<typeof ConnectTarget>;

const DoctorExtra = {
  topic: TopicName.optional(),
  frameBytes: z.number().int().positive().optional(),
};

export const ProfileSave = z.object({
  /** null: a new profile. */
  id: Id.nullable(),
  name: ProfileName,
  bootstrap: Bootstrap,
  security: PublicSecurity,
  /** Secrets typed now; on an update, one left out keeps the remembered one. */
  secrets: ProfileSecrets,
  /** Remember the secrets (encrypted by the OS keychain; refused where there is none). */
  remember: z.boolean(),
});
export type ProfileSave = z.infer<typeof ProfileSave>;

/** What `profiles:import` takes: at most this many stores, each at most 768 KB (1 MiB as base64). */
export const MAX_IMPORT_FILES = 6;
export const MAX_IMPORT_FILE_BASE64 = 1024 * 1024;

/** A client.properties and the files it names (truststore, keystore), as the page read them. */
export const ProfileImport = z.object({
  fileName: z.string().min(1).max(255),
  text: z.string().max(256 * 1024),
  files: z
    .array(
      z.object({
        name: z.string().min(1).max(255),
        base64: z
          .string()
          .max(MAX_IMPORT_FILE_BASE64, 'is too large for a truststore or keystore (over 768 KB)')
          .regex(/^[A-Za-z0-9+/=]*$/),
      }),
    )
    .max(MAX_IMPORT_FILES),
});
export const ProfileImportResult = z.object({
  bootstrap: z.string().nullable(),
  security: PublicSecurity,
  secrets: ProfileSecrets,
  /** Keys of the file that were not used. */
  unused: z.array(z.string()),
});
export type ProfileImportResult = z.infer<typeof ProfileImportResult>;

// ---- request/response calls ---------------------------------------------------------------------

export const invoke = {
  /** `security`: TLS and SASL for a secured cluster (absent: PLAINTEXT). Secrets are never echoed. */
  'connection:connect': { args: ConnectTarget, result: ConnectionStatus },
  'connection:disconnect': { args: z.object({}), result: ConnectionStatus },
  'connection:status': { args: z.object({}), result: ConnectionStatus },
  'connection:recent': { args: z.object({}), result: z.array(z.string()) },
  /** Saved connection profiles, most recently used first; `canRemember`: secrets can be stored. */
  'profiles:list': {
    args: z.object({}),
    result: z.object({ profiles: z.array(ProfileView), canRemember: z.boolean() }),
  },
  'profiles:save': { args: ProfileSave, result: ProfileView },
  'profiles:delete': { args: z.object({ id: Id }), result: z.object({}) },
  /** Read a Java client.properties into profile settings (not saved: the form shows them first). */
  'profiles:import': { args: ProfileImport, result: ProfileImportResult },
  'topics:list': { args: z.object({}), result: z.array(TopicSummary) },
  'topics:create': {
    args: z.object({ topic: TopicName, partitions: z.number().int().min(1).max(1000).optional() }),
    result: z.object({}),
  },
  'topics:delete': { args: z.object({ topic: TopicName }), result: z.object({}) },
  /** Desktop: the native file dialog. Browser: not available (the page uploads instead). */
  'video:choose': { args: z.object({}), result: VideoRef.nullable() },
  /** Browser transport only: a file that already is on the computer running `kvs serve`, by path. */
  'video:open-path': { args: z.object({ path: z.string().min(1).max(4096) }), result: VideoRef },
  'produce:start': { args: ProduceRequest, result: z.object({ jobId: Id }) },
  'produce:stop': { args: z.object({ jobId: Id }), result: z.object({}) },
  'watch:start': { args: WatchRequest, result: z.object({ viewerId: Id }) },
  'watch:stop': { args: z.object({ viewerId: Id }), result: z.object({}) },
  /** Seek, pause, play, speed; `epoch`: the viewer's seek number now (frames carry it). */
  'watch:control': { args: WatchControl, result: z.object({ epoch: z.number().int() }) },
  'watch:fallback': { args: WatchFallback, result: z.object({}) },
  /** The oldest and newest message time of a topic (for a viewer's timeline). */
  'topics:range': { args: z.object({ topic: TopicName }), result: TopicRange },
  /** The streams a topic carries (ids, names, partitions, formats), from its newest messages. */
  'topics:streams': { args: z.object({ topic: TopicName }), result: TopicStreams },
  /** Servers logged in to before (and whether a password is remembered for them). */
  'setup:saved-servers': {
    args: z.object({}),
    result: z.object({ servers: z.array(SavedServer), canRemember: z.boolean() }),
  },
  'setup:forget-server': {
    args: z.object({ host: z.string().max(253), port: z.number().int(), user: z.string().max(64) }),
    result: z.object({}),
  },
  /** Log in and look at the server (OS, Java, ports, existing Kafka). */
  'setup:connect': { args: SetupLogin, result: SetupConnectResult },
  'setup:disconnect': { args: z.object({ sessionId: Id }), result: z.object({}) },
  /** Desktop: the native file dialog for a Kafka .tgz. Browser: the page uploads it instead. */
  'setup:choose-tarball': { args: z.object({}), result: VideoRef.nullable() },
  /** Every step and command of the install, before anything runs. */
  'setup:plan': { args: SetupPlanRequest, result: SetupPlanView },
  /** Run a plan, then check from this computer; progress comes as setup:step / setup:log / setup:ended. */
  'setup:install': { args: z.object({ planId: Id }), result: z.object({ runId: Id }) },
  'setup:cancel': { args: z.object({ runId: Id }), result: z.object({}) },
  /** Every server's steps and preflight for a KRaft cluster, before anything runs. */
  'setup:cluster-plan': { args: ClusterPlanRequest, result: ClusterPlanView },
  /**
   * Run a cluster plan node by node, then check from this computer (quorum; every broker at its
   * advertised address; frames through a replicated topic with acks=all). Progress: setup:step /
   * setup:log with `node`, the checks without; the end: setup:ended with `cluster`.
   */
  'setup:cluster-install': { args: z.object({ planId: Id }), result: z.object({ runId: Id }) },
  /**
   * A rolling restart: per node (`node`) the steps stop (index 0), start (1), in sync (2); then
   * setup:ended, its `changed` = servers restarted. Cancel with setup:cancel: a node being
   * restarted is started again first (never left stopped); later nodes are not touched.
   */
  'setup:rolling-restart': { args: RollingRestartRequest, result: z.object({ runId: Id }) },
  /** Start, stop or ask about the Kafka (and ZooKeeper) installed in installDir. */
  /** Why a broker cannot be used and what to change (at most ~10 s). `topic` + `frameBytes`: also check the topic's max.message.bytes. */
  'doctor:run': {
    args: z.union([
      ConnectDirect.extend(DoctorExtra).strict(),
      ConnectProfile.extend(DoctorExtra).strict(),
    ]),
    result: Diagnosis,
  },
  /** Set advertised.listeners on the server the wizard is logged in to, restart Kafka, diagnose again. */
  'doctor:fix-on-server': {
    args: z.object({ sessionId: Id, bootstrap: Bootstrap, advertise: z.string().min(1).max(64) }),
    result: Diagnosis,
  },
  'setup:service': {
    args: z.object({
      sessionId: Id,
      installDir: z.string().min(1).max(256),
      action: ServiceAction,
    }),
    result: ServiceState,
  },
  /**
   * Export a range to MP4; progress comes as export:progress, the end as export:ended. Desktop:
   * asks where with the save dialog first (cancelled: a CANCELLED error, nothing started).
   */
  'export:start': { args: ExportRequest, result: z.object({ exportId: Id }) },
  'export:cancel': { args: z.object({ exportId: Id }), result: z.object({}) },
} as const satisfies Record<InvokeChannel, { args: z.ZodType; result: z.ZodType }>;

/**
 * Calls that legitimately take longer than a transport's usual answer limit (they talk to a
 * server over SSH and may restart Kafka); each has its own limits inside the app services.
 */
export const SLOW_CALL_MS: Partial<Record<InvokeChannel, number>> = {
  'setup:connect': 2 * 60_000,
  /** Cancels a run on that server first and waits for it (a node being restarted is started again). */
  'setup:disconnect': 2 * 60_000,
  'setup:plan': 2 * 60_000,
  'setup:cluster-plan': 3 * 60_000,
  /** Looks at every server again before the first restart. */
  'setup:rolling-restart': 2 * 60_000,
  'setup:service': 5 * 60_000,
  'doctor:fix-on-server': 5 * 60_000,
};
export type InvokeArgs<C extends InvokeChannel> = z.input<(typeof invoke)[C]['args']>;
export type InvokeResult<C extends InvokeChannel> = z.infer<(typeof invoke)[C]['result']>;

/** What crosses the boundary for a call: the result, or the error as data. */
export const InvokeReply = z.union([
  z.object({ ok: z.literal(true), result: z.unknown() }),
  z.object({ ok: z.literal(false), error: ErrorPayload }),
]);
export type InvokeReply = z.infer<typeof InvokeReply>;

// ---- services → UI events -----------------------------------------------------------------------

export const events = {
  'connection:status': ConnectionStatus,
  'produce:progress': ProduceProgressEvent,
  'produce:ended': ProduceEndedEvent,
  'watch:stats': WatchStatsEvent,
  'setup:step': SetupStepEvent,
  'setup:log': SetupLogEvent,
  'setup:ended': SetupEndedEvent,
  'export:progress': ExportProgressEvent,
  'export:ended': ExportEndedEvent,
} as const satisfies Record<EventChannel, z.ZodType>;
export type EventPayload<C extends EventChannel> = z.infer<(typeof events)[C]>;

/** The API the renderer sees, whichever transport carries it. */
export interface KvsApi {
  invoke<C extends InvokeChannel>(channel: C, args: InvokeArgs<C>): Promise<InvokeResult<C>>;
  on<C extends EventChannel>(channel: C, listener: (payload: EventPayload<C>) => void): () => void;
  /**
   * One viewer's frames, each decoded once from its binary packet (frame-packet.ts). Listen
   * before `watch:start`: the first frames may arrive before its reply.
   */
  onFrame(viewerId: string, listener: (frame: DecodedFrame) => void): () => void;
  readonly transport: 'electron' | 'browser';
}
