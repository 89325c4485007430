/**
 * THE contract between the UI and the work. Electron's main + preload, the
 * browser transport (`kvs serve`) and the renderer all derive their types from
 * this file, and every message that crosses a process or network boundary is
 * parsed with these zod schemas on the receiving side.
 *
 * - `invoke`: request → response calls (the UI asks, the host answers).
 * - `events`: host → UI notifications (progress, state, stats).
 * - Frames do NOT travel as events: they go as binary packets on their own
 *   channel (MessagePort in Electron, binary WebSocket messages in the browser);
 *   see frame-packet.ts.
 */
import { z } from 'zod';

// ---- shared pieces -----------------------------------------------------------------------------

export const ErrorPayload = z.object({ code: z.string(), message: z.string(), detail: z.string().optional() });
export type ErrorPayload = z.infer<typeof ErrorPayload>;

const Id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);
const TopicName = z.string().min(1).max(249);
const Bootstrap = z.string().max(4096);

export const ConnectionState = z.enum(['disconnected', 'connecting', 'connected', 'failed']);
export type ConnectionState = z.infer<typeof ConnectionState>;

export const ConnectionStatus = z.object({
  state: ConnectionState,
  bootstrap: z.string().nullable(),
  /** Cluster facts once connected. */
  clusterId: z.string().nullable(),
  brokers: z.array(z.object({ nodeId: z.number(), host: z.string(), port: z.number() })),
  error: ErrorPayload.nullable(),
});
export type ConnectionStatus = z.infer<typeof ConnectionStatus>;

export const TopicSummary = z.object({
  name: z.string(),
  partitions: z.number(),
  messages: z.number(),
  firstTimestamp: z.number().nullable(),
  lastTimestamp: z.number().nullable(),
  internal: z.boolean(),
});
export type TopicSummary = z.infer<typeof TopicSummary>;

export const VideoRef = z.object({
  /** Opaque id the host gives a chosen/uploaded file; the UI never holds a path. */
  videoId: Id,
  name: z.string(),
  sizeBytes: z.number(),
});
export type VideoRef = z.infer<typeof VideoRef>;

export const ProduceRequest = z.object({
  videoId: Id,
  topic: TopicName,
  fps: z.number().min(0.1).max(240).optional(),
  maxWidth: z.number().int().min(16).max(8192).optional(),
  maxHeight: z.number().int().min(16).max(8192).optional(),
  quality: z.number().int().min(1).max(100).optional(),
  realtime: z.boolean(),
  loop: z.boolean(),
  format: z.enum(['kvs', 'raw']),
});
export type ProduceRequest = z.infer<typeof ProduceRequest>;

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
]);
export type WatchFrom = z.infer<typeof WatchFrom>;

export const WatchRequest = z.object({ topic: TopicName, from: WatchFrom, pace: z.boolean() });
export type WatchRequest = z.infer<typeof WatchRequest>;

export const ViewerState = z.enum(['connecting', 'playing', 'reconnecting', 'stopped', 'failed']);

export const WatchStatsEvent = z.object({
  viewerId: Id,
  state: ViewerState,
  frames: z.number(),
  bytes: z.number(),
  skipped: z.number(),
  gaps: z.number(),
  repeats: z.number(),
  /** Frames the host dropped because the screen fell behind (newest frame wins). */
  dropped: z.number(),
  error: ErrorPayload.nullable(),
});
export type WatchStatsEvent = z.infer<typeof WatchStatsEvent>;

// ---- request/response calls ---------------------------------------------------------------------

export const invoke = {
  'connection:connect': { args: z.object({ bootstrap: Bootstrap }), result: ConnectionStatus },
  'connection:disconnect': { args: z.object({}), result: ConnectionStatus },
  'connection:status': { args: z.object({}), result: ConnectionStatus },
  'connection:recent': { args: z.object({}), result: z.array(z.string()) },
  'topics:list': { args: z.object({}), result: z.array(TopicSummary) },
  'topics:create': { args: z.object({ topic: TopicName, partitions: z.number().int().min(1).max(1000).optional() }), result: z.object({}) },
  'topics:delete': { args: z.object({ topic: TopicName }), result: z.object({}) },
  /** Desktop: the native file dialog. Browser: not available (the page uploads instead). */
  'video:choose': { args: z.object({}), result: VideoRef.nullable() },
  /** Browser transport only: a file that already is on the host, by path. */
  'video:open-path': { args: z.object({ path: z.string().min(1).max(4096) }), result: VideoRef },
  'produce:start': { args: ProduceRequest, result: z.object({ jobId: Id }) },
  'produce:stop': { args: z.object({ jobId: Id }), result: z.object({}) },
  'watch:start': { args: WatchRequest, result: z.object({ viewerId: Id }) },
  'watch:stop': { args: z.object({ viewerId: Id }), result: z.object({}) },
} as const;

export type InvokeChannel = keyof typeof invoke;
export type InvokeArgs<C extends InvokeChannel> = z.input<(typeof invoke)[C]['args']>;
export type InvokeResult<C extends InvokeChannel> = z.infer<(typeof invoke)[C]['result']>;

/** What crosses the boundary for a call: the result, or the error as data. */
export const InvokeReply = z.union([
  z.object({ ok: z.literal(true), result: z.unknown() }),
  z.object({ ok: z.literal(false), error: ErrorPayload }),
]);
export type InvokeReply = z.infer<typeof InvokeReply>;

// ---- host → UI events -----------------------------------------------------------------------------

export const events = {
  'connection:status': ConnectionStatus,
  'produce:progress': ProduceProgressEvent,
  'produce:ended': ProduceEndedEvent,
  'watch:stats': WatchStatsEvent,
} as const;

export type EventChannel = keyof typeof events;
export type EventPayload<C extends EventChannel> = z.infer<(typeof events)[C]>;

/** The API the renderer sees, whichever transport carries it. */
export interface KvsApi {
  invoke<C extends InvokeChannel>(channel: C, args: InvokeArgs<C>): Promise<InvokeResult<C>>;
  on<C extends EventChannel>(channel: C, listener: (payload: EventPayload<C>) => void): () => void;
  /** Binary frame packets of one viewer (see frame-packet.ts). */
  onFrame(viewerId: string, listener: (packet: ArrayBuffer) => void): () => void;
  readonly transport: 'electron' | 'browser';
}

export function isInvokeChannel(c: unknown): c is InvokeChannel {
  return typeof c === 'string' && Object.hasOwn(invoke, c);
}
