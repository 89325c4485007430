/**
 * Viewers: a topic played to one page (core startViewer), each with its FrameGate (newest frame
 * wins, FRAMES_IN_FLIGHT un-acked), frames encoded as packets for the page that started it,
 * throttled watch:stats events, and the viewer's link to the broker reported to the connection.
 */
import type {
  ErrorPayload,
  WatchControl,
  WatchFallback,
  WatchRequest,
  WatchStatsEvent,
} from '../shared/contract.js';
import { FRAMES_IN_FLIGHT } from '../shared/flow-control.js';
import { encodeFramePacket } from '../shared/frame-packet.js';
import { KvsError } from '../shared/errors.js';
import { assertTopicName } from '../core/kafka/client.js';
import { startViewer, type Viewer } from '../core/kafka/viewer.js';
import type { ConnectionService } from './connection-service.js';
import { errorPayload } from './error-payload.js';
import type { EventBus } from './event-bus.js';
import { FrameGate, type GateMode } from './frame-gate.js';
import { JpegFallback, type FallbackFrame } from './jpeg-fallback.js';
import { locateFfmpeg, type FfmpegPaths } from '../core/ffmpeg/locate-ffmpeg.js';
import type { CallContext } from './app-services.js';
import { MAX_VIEWERS, STATS_INTERVAL_MS } from './limits.js';

interface ViewerEntry {
  readonly id: string;
  readonly client: string | null;
  readonly gate: FrameGate;
  viewer: Viewer | null;
  state: WatchStatsEvent['state'];
  error: ErrorPayload | null;
  stopRequested: boolean;
  finished: boolean;
  /** Live (not paced, newest frame wins) or a replay (paced when asked, every frame). */
  live: boolean;
  readonly pace: boolean;
  timer: NodeJS.Timeout | null;
  lastStats: string;
  /** Streams the page cannot decode, decoded to JPEG here (watch:fallback); null until asked. */
  fallback: JpegFallback | null;
}

export interface ViewersDeps {
  readonly connection: Pick<ConnectionService, 'require' | 'reportLink'>;
  readonly events: Pick<EventBus, 'emit' | 'emitFrame'>;
  /** For the JPEG fallback; default: located on first use. */
  readonly ffmpeg?: FfmpegPaths | undefined;
}

export interface Viewers {
  start(req: WatchRequest, ctx: CallContext): Promise<{ viewerId: string }>;
  stop(args: { readonly viewerId: string }, ctx: CallContext): Promise<Record<string, never>>;
  /** Seek, pause, play, speed (the viewer's timeline). */
  control(args: WatchControl, ctx: CallContext): Promise<{ epoch: number }>;
  /** The page cannot decode a stream: decode it to JPEG here for this viewer (jpeg-fallback.ts). */
  fallback(args: WatchFallback, ctx: CallContext): Promise<Record<string, never>>;
  /** The page drew one frame of this viewer; ignored for another client's viewer. */
  ack(viewerId: string, client?: string): void;
  /** Stop the viewers this client started. */
  release(client: string): Promise<void>;
  stopAll(): Promise<void>;
}

export function createViewers(deps: ViewersDeps): Viewers {
  const { emit, emitFrame } = deps.events;
  const requireConnection = deps.connection.require;
  const reportLink = deps.connection.reportLink;
  const viewers = new Map<string, ViewerEntry>();

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
      error: v.error ?? v.fallback?.error ?? null,
      leader: v.viewer?.leader ?? null,
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
    void v.fallback?.close();
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

  function framePacket(viewerId: string, f: FallbackFrame): (dropped: number) => Uint8Array {
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
          streamId: f.streamId,
          codec: f.codec,
          keyframe: f.keyframe,
          ...(f.catchUp ? { catchUp: true } : {}),
          dropped,
          partition: f.partition,
          offset: f.offset,
          ...(f.epoch > 0 ? { epoch: f.epoch } : {}),
          ...(f.transcodedFrom !== undefined ? { transcodedFrom: f.transcodedFrom } : {}),
          ...(f.streamName !== null ? { streamName: f.streamName } : {}),
        },
        image,
      );
  }

  async function watchStart(req: WatchRequest, ctx: CallContext): Promise<{ viewerId: string }> {
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
    const live = req.from.kind === 'live';
    const entry: ViewerEntry = {
      id,
      client,
      // live: the newest frame wins; a paced replay shows every frame (slows down instead)
      gate: new FrameGate(
        (packet) => emitFrame(id, packet, client),
        FRAMES_IN_FLIGHT,
        gateMode(live, req.pace),
      ),
      viewer: null,
      state: 'connecting',
      error: null,
      stopRequested: false,
      finished: false,
      live,
      pace: req.pace,
      timer: null,
      lastStats: '',
      fallback: null,
    };
    viewers.set(id, entry);
    let viewer: Viewer;
    try {
      viewer = await startViewer(c.handle, {
        topic: req.topic,
        from: req.from,
        // live frames come as they are made: pacing them would only keep the delay of the first one
        pace: req.pace && !live,
        ...(req.speed !== undefined ? { speed: req.speed } : {}),
        // one stream: the others are passed over as they are read, never sent to the page
        ...(req.streamId !== undefined ? { streamId: req.streamId } : {}),
        onFrame: (f) =>
          entry.fallback?.takes(f)
            ? entry.fallback.push(f)
            : entry.gate.offer(framePacket(id, f), {
                stream: f.streamId ?? '',
                dependent: f.type === 'video/h264',
                keyframe: f.keyframe,
                catchUp: f.catchUp,
              }),
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
        // a move is news at once, not at the next stats tick
        onLeader: () => {
          if (entry.viewer && !entry.finished) sendStats(entry, true);
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
    { viewerId }: { readonly viewerId: string },
    ctx: CallContext,
  ): Promise<Record<string, never>> {
    const v = viewers.get(viewerId);
    // another page's viewer is not this page's to stop: as if it had stopped already
    if (v && v.client === (ctx.client ?? null)) await stopViewer(v);
    return {};
  }

  async function watchControl(c: WatchControl, ctx: CallContext): Promise<{ epoch: number }> {
    const v = viewers.get(c.viewerId);
    const viewer = v?.viewer;
    if (!v || !viewer || v.client !== (ctx.client ?? null))
      throw new KvsError('INVALID_ARGUMENT', 'That viewer is not playing any more. Press Start.');
    /** A live viewer becomes a replay once it leaves the live edge, and back with a seek to live. */
    const setLive = (live: boolean): void => {
      v.live = live;
      v.gate.setMode(gateMode(live, v.pace));
      viewer.setPace(v.pace && !live);
    };
    switch (c.op) {
      case 'seek': {
        const epoch = await viewer.seek(c.from, { paused: c.paused });
        v.gate.restart();
        setLive(c.from.kind === 'live');
        return { epoch };
      }
      case 'pause':
        viewer.pause();
        break;
      case 'play':
        if (v.live && viewer.paused) setLive(false);
        viewer.play();
        break;
      case 'speed':
        viewer.setSpeed(c.speed);
        break;
    }
    return { epoch: viewer.epoch };
  }

  async function watchFallback(
    { viewerId, streamId, codec }: WatchFallback,
    ctx: CallContext,
  ): Promise<Record<string, never>> {
    const v = viewers.get(viewerId);
    if (!v || v.finished || v.client !== (ctx.client ?? null))
      throw new KvsError('INVALID_ARGUMENT', 'That viewer is not playing any more. Press Start.');
    v.fallback ??= new JpegFallback({
      ffmpegPath: async () => (deps.ffmpeg ?? (await locateFfmpeg())).ffmpegPath,
      packet: (f) => framePacket(viewerId, f),
      offer: (make, frame) => v.gate.offer(make, frame),
      changed: () => sendStats(v, true),
    });
    await v.fallback.start(streamId, codec);
    return {};
  }

  return {
    start: watchStart,
    stop: watchStop,
    control: watchControl,
    fallback: watchFallback,
    ack(viewerId, client) {
      if (typeof viewerId !== 'string') return;
      const v = viewers.get(viewerId);
      if (v && (client === undefined || v.client === client)) v.gate.ack();
    },
    async release(client) {
      await Promise.all(
        [...viewers.values()].filter((v) => v.client === client).map((v) => stopViewer(v)),
      );
    },
    async stopAll() {
      await Promise.all([...viewers.values()].map((v) => stopViewer(v)));
    },
  };
}

/**
 * Live: the newest frame wins. A replay never skips a video frame: paced, every frame waits for
 * the page (it slows down instead of skipping); as fast as it arrives, images still give way to
 * newer ones, but H.264 frames wait (a skipped one would cost its whole group).
 */
function gateMode(live: boolean, pace: boolean): GateMode {
  if (live) return 'newest-wins';
  return pace ? 'every-frame' : 'every-video-frame';
}
