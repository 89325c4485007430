/**
 * One viewer: a topic, live or from the beginning, drawn on a canvas with
 * createImageBitmap (newest frame wins), and an overlay with what is happening.
 *
 * Pause stops the viewer on the service (no frames are fetched while paused) and keeps the
 * last picture and the counts; Resume starts a new viewer at the live end of the topic and
 * keeps counting. Start (or Restart) begins a fresh session with the counts at zero.
 */
import { useCallback, useEffect, useId, useRef, useState } from 'react';
import type { WatchFrom, WatchStatsEvent } from '../../../../electron/shared/contract.js';
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
import { newViewerId } from '../../transport/viewer-id.js';
import { useLatestCall } from '../../shared/latest-call.js';

type Phase = 'idle' | 'starting' | 'playing' | 'paused' | 'stopped';

export interface WatchPanelProps {
  readonly index: number;
  readonly onRemove?: (() => void) | undefined;
  /** This page cannot decode a stream's codec (the viewer's note says so in any case). */
  readonly onUnsupportedCodec?: UnsupportedCodecListener | undefined;
}

export function WatchPanel({ index, onRemove, onUnsupportedCodec }: WatchPanelProps) {
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
  const [phase, setPhase] = useState<Phase>('idle');
  const [playing, setPlaying] = useState<{ topic: string; from: WatchFrom } | null>(null);
  const [snap, setSnap] = useState<ViewerSnapshot | null>(null);
  const [servicesStats, setServicesStats] = useState<WatchStatsEvent | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [topicError, setTopicError] = useState<string | null>(null);
  const action = useAction();

  const viewerIdRef = useRef<string | null>(null);
  const offFrameRef = useRef<(() => void) | null>(null);
  const sessions = useLatestCall();
  const statsByViewer = useRef(new Map<string, WatchStatsEvent>());

  const [surface] = useState(() => new CanvasSurface());
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
        onDrawn: benchRecorder(benchEnabled, window),
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

  const begin = (fresh: boolean, at?: WatchFrom) => {
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
    void action
      .run(async () => {
        // Listen first, then ask: the viewer's first frames may come before the reply.
        const viewerId = newViewerId();
        const offFrame = api.onFrame(viewerId, (frame) => renderer.push(frame));
        try {
          await api.invoke('watch:start', { viewerId, topic: name, from, pace });
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

  const halt = (next: 'paused' | 'stopped') => {
    sessions.cancel();
    detach();
    setSnap(renderer.snapshot());
    setPhase(next);
  };

  const active = phase === 'playing' || phase === 'starting';
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
        const where = playing ? `${playing.topic} (${fromText(playing.from)})` : '';
        if (servicesState === 'reconnecting') return `Reconnecting to Kafka for ${where}…`;
        if (servicesState === 'connecting') return `Connecting to ${where}…`;
        if (servicesState === 'failed') return null;
        return (s?.drawn ?? 0) === 0 ? `Waiting for frames on ${where}…` : `Playing ${where}`;
      }
      case 'paused':
        return 'Paused — the viewer is stopped. Resume continues at the live end of the topic.';
      case 'stopped':
        return note ?? 'Stopped.';
    }
  })();
  const errorText =
    action.error ??
    (servicesState === 'failed' || servicesStats?.error
      ? (servicesStats?.error?.message ?? 'The viewer failed.')
      : null);

  return (
    <section className="card viewer" aria-labelledby={ids.heading} data-testid="watch-panel">
      <div className="viewer-head">
        <h2 id={ids.heading}>Viewer {index + 1}</h2>
        {onRemove && (
          <button
            type="button"
            className="link"
            onClick={() => {
              halt('stopped');
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
          data-testid="watch-pause-button"
          disabled={
            !(phase === 'playing' || phase === 'paused') || action.pending || !servicesReady
          }
          onClick={() => (phase === 'paused' ? begin(false) : halt('paused'))}
        >
          {phase === 'paused' ? 'Resume' : 'Pause'}
        </button>
        <button
          type="button"
          className="secondary"
          data-testid="watch-stop-button"
          disabled={!active && phase !== 'paused'}
          onClick={() => halt('stopped')}
        >
          Stop
        </button>
      </div>
      <p id={ids.error} className="field-error" data-testid="watch-error" aria-live="polite">
        {topicError ?? errorText ?? ''}
      </p>

      <div className="stage">
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
        <ViewerStats snap={s} servicesStats={servicesStats} playing={phase === 'playing'} />
      </div>
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

function fromText(from: WatchFrom): string {
  switch (from.kind) {
    case 'live':
      return 'live';
    case 'beginning':
      return 'from the beginning';
    case 'timestamp':
      return `from ${new Date(from.ms).toLocaleTimeString()}`;
  }
}
