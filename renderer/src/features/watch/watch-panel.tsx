/**
 * One viewer: a topic, live or from the beginning, drawn on a canvas (images with
 * createImageBitmap, H.264 with WebCodecs), an overlay with what is happening, and a timeline
 * (timeline.tsx) to play it like a video.
 *
 * The timeline drives the same viewer on the service (watch:control): a seek (a click on the
 * scrub bar, Home, ←/→ while playing) goes to the exact frame at that time; a paused seek or a
 * step shows that one frame; Pause holds the viewer (nothing more is fetched) and Play goes on
 * from the frame on screen — a live viewer that pauses or seeks back becomes a replay, and
 * "Go live" returns. Start (or Restart) begins a fresh session with the counts at zero.
 *
 * In a grid (watch-area.tsx) the viewer is a tile (`tile`): small numbers (tile-stats.tsx), a
 * click or Enter on the picture focuses it, and the grid may drive its timeline (tile-link.ts).
 */
import {
  useCallback,
  useEffect,
  useId,
  useLayoutEffect,
  useRef,
  useState,
  type KeyboardEvent,
} from 'react';
import type {
  WatchControl,
  WatchFrom,
  WatchStatsEvent,
} from '../../../../electron/shared/contract.js';
import {
  useAction,
  useApi,
  useApiEvent,
  useServicesLost,
  useServicesReady,
} from '../../shared/api-context.js';
import { useKafka, useOnKafkaConnected } from '../../shared/kafka-context.js';
import { benchEnabled, peekAutostart, takeAutostart } from '../../shared/autostart.js';
import { topicNameError } from '../../shared/topic-name.js';
import { TopicSuggestions } from '../../shared/topic-suggestions.js';
import { CheckField } from '../../shared/choice-fields.js';
import { benchRecorder } from './bench-hook.js';
import { CanvasSurface } from './canvas-surface.js';
import {
  ViewerRenderer,
  type UnsupportedCodecListener,
  type ViewerSnapshot,
} from './viewer-renderer.js';
import { ViewerStats } from './viewer-stats.js';
import { hasVideoNotes, VideoNotes } from './video-notes.js';
import { webCodecsDecoders } from './webcodecs-decoder.js';
import { ExportPanel } from './export-panel.js';
import { StreamPicker } from './stream-picker.js';
import { Timeline } from './timeline.js';
import { keyAction, markedRange, widen, type TimeRange } from './timeline-model.js';
import { newViewerId } from '../../transport/viewer-id.js';
import { useLatestCall } from '../../shared/latest-call.js';
import { TileIndex, type TileHandle, type TileLink } from './tile-link.js';
import { TileStats } from './tile-stats.js';
import { useDrawLimit } from './use-draw-limit.js';

type Phase = 'idle' | 'starting' | 'playing' | 'stopped';

/** A control without the viewer it is for (the panel adds its own). */
type Control = WatchControl extends infer C
  ? C extends unknown
    ? Omit<C, 'viewerId'>
    : never
  : never;

/** How often a replay re-reads the topic's range (a live viewer grows it with every frame). */
const RANGE_REFRESH_MS = 5000;

export interface WatchPanelProps {
  readonly index: number;
  readonly onRemove?: (() => void) | undefined;
  /** This page cannot decode a stream's codec (the viewer's note says so in any case). */
  readonly onUnsupportedCodec?: UnsupportedCodecListener | undefined;
  /** One tile of a grid (absent: the only viewer). */
  readonly tile?: TileLink | undefined;
}

export function WatchPanel({ index, onRemove, onUnsupportedCodec, tile }: WatchPanelProps) {
  const api = useApi();
  const servicesReady = useServicesReady();
  const kafka = useKafka();
  const ids = {
    heading: useId(),
    topic: useId(),
    topics: useId(),
    error: useId(),
  };
  const [topic, setTopic] = useState(() => (index === 0 ? (peekAutostart('watch') ?? '') : ''));
  const [fromBeginning, setFromBeginning] = useState(false);
  const [pace, setPace] = useState(true);
  /** The stream played (its id); null: every stream of the topic. */
  const [streamId, setStreamId] = useState<string | null>(null);
  const [phase, setPhase] = useState<Phase>('idle');
  const [playing, setPlaying] = useState<{ topic: string; from: WatchFrom } | null>(null);
  const [snap, setSnap] = useState<ViewerSnapshot | null>(null);
  const [servicesStats, setServicesStats] = useState<WatchStatsEvent | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [topicError, setTopicError] = useState<string | null>(null);
  const action = useAction();
  // the timeline
  const [live, setLive] = useState(true);
  const [paused, setPaused] = useState(false);
  const [speed, setSpeed] = useState(1);
  const [range, setRange] = useState<TimeRange | null>(null);
  const [marks, setMarks] = useState<{ in: number | null; out: number | null }>({
    in: null,
    out: null,
  });
  const controlAction = useAction();
  /** Seeks asked of the current viewer (its frames carry the number of the seek they follow). */
  const epochRef = useRef(0);

  /** The topic's retained range, for the scrub bar (best effort: unknown stays null). */
  const readRange = useCallback(
    async (name: string) => {
      const r = await api.invoke('topics:range', { topic: name }).catch(() => null);
      if (r?.firstMs == null || r.lastMs == null) return;
      const { firstMs, lastMs } = r;
      setRange((prev) => widen(widen(prev, firstMs), lastMs));
    },
    [api],
  );

  const viewerIdRef = useRef<string | null>(null);
  const offFrameRef = useRef<(() => void) | null>(null);
  const sessions = useLatestCall();
  const statsByViewer = useRef(new Map<string, WatchStatsEvent>());

  /** The tile this viewer is now (the bench hook tags its samples with it). */
  const [tileIndex] = useState(() => new TileIndex());
  const currentTile = tile?.index;
  useEffect(() => {
    tileIndex.set(currentTile);
  }, [tileIndex, currentTile]);
  const [surface] = useState(() => new CanvasSurface());
  // a small tile draws at its size on screen (less to draw and composite per frame)
  const stageRef = useDrawLimit(surface, tile !== undefined && !tile.focused);
  const attachCanvas = useCallback(
    (canvas: HTMLCanvasElement | null) => surface.attach(canvas),
    [surface],
  );
  const [renderer] = useState(
    () =>
      new ViewerRenderer<ImageBitmap, VideoFrame>({
        decode: (image, type) => createImageBitmap(new Blob([image], { type })),
        draw: (bitmap) => surface.draw(bitmap),
        close: (bitmap) => bitmap.close(),
        ack: (viewerId) => api.ackFrame(viewerId),
        now: () => Date.now(),
        log: console,
        onDrawn: benchRecorder(benchEnabled, window, tileIndex.get),
        video: { decoders: webCodecsDecoders(), draw: (frame) => surface.drawVideoFrame(frame) },
      }),
  );
  useEffect(() => {
    renderer.setUnsupportedListener(onUnsupportedCodec ?? null);
    return () => renderer.setUnsupportedListener(null);
  }, [renderer, onUnsupportedCodec]);

  useApiEvent('watch:stats', (s) => {
    if (s.viewerId === viewerIdRef.current) setServicesStats(s);
    else {
      const m = statsByViewer.current;
      m.set(s.viewerId, s);
      while (m.size > 16) {
        const first = m.keys().next().value;
        if (first === undefined) break;
        m.delete(first);
      }
    }
  });

  /** Detach from the current viewer and ask the service to stop it (errors are not interesting then). */
  const detach = useCallback(() => {
    offFrameRef.current?.();
    offFrameRef.current = null;
    renderer.stop();
    const id = viewerIdRef.current;
    viewerIdRef.current = null;
    if (id) api.invoke('watch:stop', { viewerId: id }).catch(() => undefined);
  }, [api, renderer]);

  useEffect(() => () => detach(), [detach]);

  // The overlay reads the renderer's numbers a few times a second, not once per frame.
  useEffect(() => {
    if (phase !== 'playing') return undefined;
    const t = setInterval(() => setSnap(renderer.snapshot()), 200);
    return () => clearInterval(t);
  }, [phase, renderer]);

  // The service went away: its viewers are gone with the socket.
  useServicesLost(() => {
    if (viewerIdRef.current || phase === 'starting') {
      sessions.cancel();
      detach();
      setSnap(renderer.snapshot());
      setPhase('stopped');
      setNote('Stopped: lost connection to the service. Press Start once it is back.');
    }
  });

  const begin = (fresh: boolean, at?: WatchFrom, stream: string | null = streamId) => {
    const name = (fresh ? topic : (playing?.topic ?? topic)).trim();
    const err = topicNameError(name);
    if (err) {
      setTopicError(err);
      return;
    }
    setTopicError(null);
    setNote(null);
    detach();
    const session = sessions.next();
    const from: WatchFrom = at ?? { kind: fresh && fromBeginning ? 'beginning' : 'live' };
    if (fresh) {
      renderer.reset();
      setServicesStats(null);
      surface.clear();
    }
    setSnap(renderer.snapshot());
    setPhase('starting');
    setRange(null);
    setMarks({ in: null, out: null });
    epochRef.current = 0;
    void action
      .run(async () => {
        // Listen first, then ask: the viewer's first frames may come before the reply.
        const viewerId = newViewerId();
        const offFrame = api.onFrame(viewerId, (frame) => renderer.push(frame));
        try {
          await api.invoke('watch:start', {
            viewerId,
            topic: name,
            from,
            pace,
            speed,
            ...(stream !== null ? { streamId: stream } : {}),
          });
        } catch (err) {
          offFrame();
          throw err;
        }
        if (!sessions.isCurrent(session)) {
          // Stopped or restarted while this one was starting.
          offFrame();
          api.invoke('watch:stop', { viewerId }).catch(() => undefined);
          return;
        }
        viewerIdRef.current = viewerId;
        offFrameRef.current = offFrame;
        const early = statsByViewer.current.get(viewerId);
        statsByViewer.current.delete(viewerId);
        if (early) setServicesStats(early);
        setPlaying({ topic: name, from });
        setPhase('playing');
        setLive(from.kind === 'live');
        setPaused(false);
        void readRange(name);
      })
      .then(() => {
        if (sessions.isCurrent(session) && viewerIdRef.current === null) setPhase('stopped');
      });
  };

  // `npm run demo`: the first viewer starts watching by itself once Kafka is connected
  // (its topic is in the input from the start)
  useOnKafkaConnected(() => {
    if (index !== 0 || phase !== 'idle') return;
    if (takeAutostart('watch') === null) return;
    const fromMs = takeAutostart('watchFrom');
    begin(true, fromMs === null ? undefined : { kind: 'timestamp', ms: Number(fromMs) });
  });

  const halt = () => {
    sessions.cancel();
    detach();
    setSnap(renderer.snapshot());
    setPhase('stopped');
    setPaused(false);
  };

  // a replay re-reads the range now and then (new frames arrive while it plays old ones)
  const replayTopic = phase === 'playing' && !live ? (playing?.topic ?? null) : null;
  useEffect(() => {
    if (replayTopic === null) return undefined;
    // at once (the edge left behind is still the newest frame), then now and then
    const first = setTimeout(() => void readRange(replayTopic), 0);
    const t = setInterval(() => void readRange(replayTopic), RANGE_REFRESH_MS);
    return () => {
      clearTimeout(first);
      clearInterval(t);
    };
  }, [replayTopic, readRange]);

  // the frame on screen grows the range read last (live: the edge moves on with it)
  const lastFrame = snap?.lastFrame ?? null;
  const positionMs = lastFrame?.timestamp ?? null;
  const shownRange = widen(range, positionMs);

  /**
   * Ask the viewer on the service to seek, pause, play or change speed. Each seek takes the
   * viewer's next number (also when it fails), so the page counts them as it asks: frames from
   * before the newest seek, still on their way, are not shown — without waiting for the answer,
   * whose frames may come first.
   */
  const control = (c: Control) => {
    const viewerId = viewerIdRef.current;
    if (viewerId === null) return;
    if (c.op === 'seek') renderer.showFromEpoch(++epochRef.current);
    void controlAction.run(async () => {
      const { epoch } = await api.invoke('watch:control', { ...c, viewerId });
      // (never below the count: the service numbers the seeks of this viewer one by one)
      if (viewerIdRef.current === viewerId && epoch > epochRef.current) {
        epochRef.current = epoch;
        renderer.showFromEpoch(epoch);
      }
    });
  };

  const seekTo = (ms: number) => {
    setLive(false);
    control({ op: 'seek', from: { kind: 'timestamp', ms: Math.max(0, Math.round(ms)) }, paused });
  };
  const step = (dir: -1 | 1) => {
    const at = renderer.snapshot().lastFrame;
    if (at === null || at.partition === null || at.offset === null) return;
    const offset = Number(at.offset) + dir;
    if (offset < 0) return;
    setLive(false);
    setPaused(true);
    control({
      op: 'seek',
      from: { kind: 'offset', partition: at.partition, offset: String(offset), ms: at.timestamp },
      paused: true,
    });
  };
  const playPause = () => {
    if (paused) {
      // a paused live viewer goes on from the frame on screen: a replay now
      setLive(false);
      setPaused(false);
      control({ op: 'play' });
    } else {
      setPaused(true);
      control({ op: 'pause' });
    }
  };
  const goLive = () => {
    setLive(true);
    setPaused(false);
    control({ op: 'seek', from: { kind: 'live' }, paused: false });
  };
  const changeSpeed = (next: number) => {
    setSpeed(next);
    control({ op: 'speed', speed: next });
  };
  const mark = (which: 'in' | 'out' | 'clear') => {
    if (which === 'clear') setMarks({ in: null, out: null });
    else if (positionMs !== null) setMarks((m) => ({ ...m, [which]: positionMs }));
  };

  // a tile: the grid drives this timeline through a handle that always calls the newest closures
  const handleRef = useRef<TileHandle | null>(null);
  useLayoutEffect(() => {
    handleRef.current = {
      seek: (ms, p) => {
        setPaused(p);
        setLive(false);
        control({
          op: 'seek',
          from: { kind: 'timestamp', ms: Math.max(0, Math.round(ms)) },
          paused: p,
        });
      },
      play: () => {
        if (paused) playPause();
      },
      pause: () => {
        if (!paused) playPause();
      },
      goLive,
      step,
      speed: changeSpeed,
    };
  });
  const onHandle = tile?.onHandle;
  useEffect(() => {
    if (onHandle === undefined) return undefined;
    onHandle({
      seek: (ms, p) => handleRef.current?.seek(ms, p),
      play: () => handleRef.current?.play(),
      pause: () => handleRef.current?.pause(),
      goLive: () => handleRef.current?.goLive(),
      step: (d) => handleRef.current?.step(d),
      speed: (v) => handleRef.current?.speed(v),
    });
    return () => onHandle(null);
  }, [onHandle]);
  const onReport = tile?.onReport;
  const rangeFirst = shownRange?.firstMs ?? null;
  const rangeLast = shownRange?.lastMs ?? null;
  const controlBusy = controlAction.pending;
  useEffect(() => {
    onReport?.({
      playing: phase === 'playing',
      range:
        rangeFirst === null || rangeLast === null
          ? null
          : { firstMs: rangeFirst, lastMs: rangeLast },
      positionMs,
      paused,
      live,
      busy: controlBusy,
      speed,
      paced: pace,
    });
  }, [onReport, phase, rangeFirst, rangeLast, positionMs, paused, live, controlBusy, speed, pace]);

  const timelineReady = phase === 'playing';
  /** Space, ←/→, Home/End anywhere on the viewer — not while typing, and Space still clicks buttons. */
  const onKeyDown = (e: KeyboardEvent<HTMLElement>) => {
    if (!timelineReady || e.altKey || e.ctrlKey || e.metaKey) return;
    const t = e.target as HTMLElement;
    if (t.closest('input, select, textarea')) return;
    if (t.closest('button') && (e.key === ' ' || e.key === 'Enter')) return;
    const a = keyAction(e.key, { paused, positionMs, range: shownRange });
    if (a === null) return;
    e.preventDefault();
    if (a.kind === 'toggle') playPause();
    else if (a.kind === 'step') step(a.dir);
    else if (a.kind === 'seek') seekTo(a.ms);
    else goLive();
  };

  const active = phase === 'playing' || phase === 'starting';
  const exportRange = markedRange(marks.in, marks.out);
  const s = snap;
  const servicesState = servicesStats?.state;
  const statusText = (() => {
    if (action.error) return null;
    switch (phase) {
      case 'idle':
        return 'Choose a topic and press Start.';
      case 'starting':
        return `Starting viewer on ${topic.trim() || playing?.topic || ''}…`;
      case 'playing': {
        const how = live ? 'live' : pace ? `replay at ${speed}×` : 'replay, as fast as it arrives';
        const where = playing ? `${playing.topic} (${how})` : '';
        if (servicesState === 'reconnecting') return `Reconnecting to Kafka for ${where}…`;
        if (servicesState === 'connecting') return `Connecting to ${where}…`;
        if (servicesState === 'failed') return null;
        if (paused)
          return `Paused on ${playing?.topic ?? ''} — Play goes on from this frame; ←/→ step one frame.`;
        return (s?.drawn ?? 0) === 0 ? `Waiting for frames on ${where}…` : `Playing ${where}`;
      }
      case 'stopped':
        return note ?? 'Stopped.';
    }
  })();
  const errorText =
    action.error ??
    controlAction.error ??
    (servicesState === 'failed' || servicesStats?.error
      ? (servicesStats?.error?.message ?? 'The viewer failed.')
      : null);

  return (
    <section
      className="card viewer"
      aria-labelledby={ids.heading}
      data-testid="watch-panel"
      onKeyDown={onKeyDown}
    >
      <div className="viewer-head">
        <h2 id={ids.heading}>{tile ? `Tile ${index + 1}` : `Viewer ${index + 1}`}</h2>
        {tile && (
          <span className="tile-actions">
            {tile.focused && (
              <button
                type="button"
                className="link"
                data-testid="tile-back-to-grid"
                aria-keyshortcuts="Escape"
                onClick={tile.onFocus}
              >
                Back to grid
              </button>
            )}
            <button
              type="button"
              className="link"
              data-testid="tile-close"
              title="Stop this tile's viewer and empty the tile"
              aria-label={`Close tile ${index + 1}`}
              onClick={() => {
                halt();
                tile.onClose();
              }}
            >
              Close
            </button>
          </span>
        )}
        {onRemove && (
          <button
            type="button"
            className="link"
            onClick={() => {
              halt();
              onRemove();
            }}
            aria-label={`Remove viewer ${index + 1}`}
          >
            Remove
          </button>
        )}
      </div>
      <div className="row wrap">
        <label htmlFor={ids.topic} className="sr-only">
          Topic
        </label>
        <input
          id={ids.topic}
          data-testid="watch-topic-input"
          className="grow mono"
          type="text"
          list={ids.topics}
          placeholder="Topic, e.g. distributed-video1"
          autoComplete="off"
          spellCheck={false}
          value={topic}
          aria-invalid={topicError !== null}
          aria-describedby={ids.error}
          onChange={(e) => {
            setTopic(e.target.value);
            setTopicError(null);
          }}
        />
        <TopicSuggestions id={ids.topics} topics={kafka.topics} />
        <button
          type="button"
          className="secondary"
          data-testid="watch-refresh-topics"
          onClick={() => void kafka.refreshTopics()}
          disabled={kafka.topicsLoading}
          title="Reload the topic list for suggestions"
        >
          {kafka.topicsLoading ? 'Loading…' : 'Refresh topics'}
        </button>
      </div>
      <div className="row wrap">
        <CheckField
          label="From the beginning"
          data-testid="watch-from-beginning"
          checked={fromBeginning}
          onChange={setFromBeginning}
        />
        <CheckField
          label="Recorded speed"
          labelTitle="Play at the pace the frames were recorded; off = as fast as they arrive"
          data-testid="watch-pace"
          checked={pace}
          onChange={setPace}
        />
        <span className="spacer" />
        <button
          type="button"
          data-testid="watch-start-button"
          onClick={() => begin(true)}
          disabled={action.pending || !servicesReady}
        >
          {active ? 'Restart' : 'Start'}
        </button>
        <button
          type="button"
          className="secondary"
          data-testid="watch-stop-button"
          disabled={!active}
          onClick={halt}
        >
          Stop
        </button>
      </div>
      <StreamPicker
        topic={topic.trim()}
        value={streamId}
        onChange={(id) => {
          setStreamId(id);
          // playing: the chosen stream plays at once, from where the viewer was asked to start
          if (active) begin(true, undefined, id);
        }}
        shown={lastFrame}
      />
      <p id={ids.error} className="field-error" data-testid="watch-error" aria-live="polite">
        {topicError ?? errorText ?? ''}
      </p>

      <div
        ref={stageRef}
        className={tile ? 'stage tile-stage' : 'stage'}
        data-testid="watch-stage"
        {...(tile
          ? {
              role: 'button',
              tabIndex: 0,
              'aria-label': tile.focused
                ? `Tile ${index + 1}: back to the grid (Enter or Escape)`
                : `Tile ${index + 1}: fill the area (Enter)`,
              'aria-pressed': tile.focused,
              onClick: tile.onFocus,
              onKeyDown: (e: KeyboardEvent<HTMLElement>) => {
                if (e.key !== 'Enter' || e.target !== e.currentTarget) return;
                e.preventDefault();
                e.stopPropagation();
                tile.onFocus();
              },
            }
          : {})}
      >
        <canvas
          ref={attachCanvas}
          data-testid="watch-canvas"
          width={640}
          height={360}
          aria-label={`Video of viewer ${index + 1}`}
          role="img"
        />
        {(s?.drawn ?? 0) === 0 && !hasVideoNotes(s?.h264 ?? null) && (
          <div className="stage-empty" aria-hidden="true">
            {phase === 'idle'
              ? 'No picture yet'
              : phase === 'starting' || phase === 'playing'
                ? 'Waiting for the first frame…'
                : 'No frames were drawn'}
          </div>
        )}
        <VideoNotes h264={s?.h264 ?? null} />
        {(tile === undefined || tile.focused) && (
          <ViewerStats snap={s} servicesStats={servicesStats} playing={phase === 'playing'} />
        )}
        {tile && (
          <TileStats
            snap={s}
            state={
              phase === 'playing'
                ? paused
                  ? 'paused'
                  : (servicesState ?? 'playing')
                : phase === 'starting'
                  ? 'starting'
                  : phase === 'stopped'
                    ? 'stopped'
                    : 'idle'
            }
            waiting={phase === 'playing' && !paused}
          />
        )}
      </div>
      {playing !== null && (tile === undefined || tile.ownTimeline) && (
        <Timeline
          range={shownRange}
          positionMs={positionMs}
          positionSeq={lastFrame?.seq ?? null}
          live={live}
          paused={paused}
          speed={speed}
          paced={pace}
          disabled={!timelineReady}
          busy={controlAction.pending}
          markIn={marks.in}
          markOut={marks.out}
          onSeek={seekTo}
          onStep={step}
          onPlayPause={playPause}
          onGoLive={goLive}
          onSpeed={changeSpeed}
          onMark={mark}
        />
      )}
      {playing !== null && (tile === undefined || tile.focused) && (
        <ExportPanel
          topic={playing.topic}
          streamId={streamId ?? lastFrame?.streamId ?? null}
          range={exportRange}
        />
      )}
      <p
        className="muted viewer-status"
        role="status"
        aria-live="polite"
        data-testid="watch-status"
      >
        {statusText}
      </p>
    </section>
  );
}
