/**
 * Produce: pick a video (browser: upload to the host with progress; desktop: the native
 * dialog), choose topic and settings, start/stop, and follow the run's progress.
 */
import { useEffect, useId, useRef, useState, type ChangeEvent } from 'react';
import type {
  ProduceEndedEvent,
  ProduceProgressEvent,
  VideoRef,
} from '../../../../electron/shared/contract.js';
import { useAction, useApi, useApiEvent, useHostLost } from '../../shared/api-context.js';
import {
  formatBytes,
  formatCount,
  formatDuration,
  formatFps,
  formatMegabytesPerSecond,
} from '../../shared/format.js';
import { useKafka } from '../../shared/kafka-context.js';
import { errorMessage } from '../../transport/errors.js';
import {
  brokerLinkNotice,
  buildProduceRequest,
  DEFAULT_FORM,
  progressView,
  TUTORIAL_PRESET,
  type FormField,
  type ProduceForm,
} from './produce-logic.js';

type VideoState =
  | { readonly kind: 'none' }
  | {
      readonly kind: 'uploading';
      readonly name: string;
      readonly loaded: number;
      readonly total: number;
    }
  | { readonly kind: 'ready'; readonly ref: VideoRef };

interface JobEvents {
  progress?: ProduceProgressEvent;
  ended?: ProduceEndedEvent;
}

export function ProducePanel() {
  const api = useApi();
  const kafka = useKafka();
  const ids = {
    heading: useId(),
    file: useId(),
    path: useId(),
    topic: useId(),
    topics: useId(),
    width: useId(),
    height: useId(),
    fps: useId(),
    quality: useId(),
    loop: useId(),
    error: useId(),
  };
  const [video, setVideo] = useState<VideoState>({ kind: 'none' });
  const [videoError, setVideoError] = useState<string | null>(null);
  const [hostPath, setHostPath] = useState('');
  const [form, setForm] = useState<ProduceForm>(DEFAULT_FORM);
  const [fieldError, setFieldError] = useState<{ field: FormField; error: string } | null>(null);
  const [jobId, setJobId] = useState<string | null>(null);
  const [progress, setProgress] = useState<ProduceProgressEvent | null>(null);
  const [ended, setEnded] = useState<ProduceEndedEvent | null>(null);
  const startAction = useAction();
  const stopAction = useAction();
  const chooseAction = useAction();
  const jobRef = useRef<string | null>(null);
  const early = useRef(new Map<string, JobEvents>());
  const uploadAbort = useRef<AbortController | null>(null);

  useEffect(() => () => uploadAbort.current?.abort(), []);

  // The host went away mid-run: its job's end will never be reported to this page.
  const [lostJob, setLostJob] = useState(false);
  useHostLost(() => {
    if (jobRef.current === null || ended !== null) return;
    jobRef.current = null;
    setJobId(null);
    setLostJob(true);
  });

  // Events may arrive before produce:start has answered with the job id: keep the latest per job.
  const stash = (id: string, patch: JobEvents) => {
    const m = early.current;
    m.set(id, { ...m.get(id), ...patch });
    while (m.size > 16) {
      const first = m.keys().next().value;
      if (first === undefined) break;
      m.delete(first);
    }
  };
  useApiEvent('produce:progress', (p) => {
    if (p.jobId === jobRef.current) setProgress(p);
    else stash(p.jobId, { progress: p });
  });
  useApiEvent('produce:ended', (e) => {
    if (e.jobId === jobRef.current) setEnded(e);
    else stash(e.jobId, { ended: e });
  });

  const running = jobId !== null && ended === null;
  const videoId = video.kind === 'ready' ? video.ref.videoId : null;
  const set = <K extends keyof ProduceForm>(key: K, value: ProduceForm[K]) => {
    setForm((f) => ({ ...f, [key]: value }));
    if (fieldError?.field === key) setFieldError(null);
  };

  const onFile = (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    uploadAbort.current?.abort();
    setVideoError(null);
    if (!file) return;
    const upload = api.upload;
    if (!upload) {
      setVideoError('This transport cannot upload files.');
      return;
    }
    const controller = new AbortController();
    uploadAbort.current = controller;
    setVideo({ kind: 'uploading', name: file.name, loaded: 0, total: file.size });
    upload(
      file,
      (p) => {
        if (!controller.signal.aborted)
          setVideo({ kind: 'uploading', name: file.name, loaded: p.loaded, total: p.total });
      },
      controller.signal,
    ).then(
      (ref) => {
        if (controller.signal.aborted) return;
        setVideo({ kind: 'ready', ref });
        if (fieldError?.field === 'video') setFieldError(null);
      },
      (err: unknown) => {
        if (controller.signal.aborted) return;
        setVideo({ kind: 'none' });
        setVideoError(errorMessage(err));
      },
    );
  };

  const choose = () => {
    void chooseAction.run(async () => {
      const ref = await api.invoke('video:choose', {});
      if (ref) {
        setVideo({ kind: 'ready', ref });
        setVideoError(null);
      }
    });
  };

  const openPath = () => {
    void chooseAction.run(async () => {
      const ref = await api.invoke('video:open-path', { path: hostPath.trim() });
      setVideo({ kind: 'ready', ref });
      setVideoError(null);
    });
  };

  const start = () => {
    const built = buildProduceRequest(videoId, form);
    if (!built.ok) {
      setFieldError({ field: built.field, error: built.error });
      return;
    }
    setFieldError(null);
    setLostJob(false);
    void startAction.run(async () => {
      jobRef.current = null;
      setJobId(null);
      setProgress(null);
      setEnded(null);
      const { jobId: id } = await api.invoke('produce:start', built.request);
      jobRef.current = id;
      setJobId(id);
      const seen = early.current.get(id);
      early.current.delete(id);
      if (seen?.progress) setProgress(seen.progress);
      if (seen?.ended) setEnded(seen.ended);
      void kafka.refreshTopics();
    });
  };

  const stop = () => {
    if (!jobId) return;
    void stopAction.run(() => api.invoke('produce:stop', { jobId }));
  };

  const pv = progressView(progress, ended);
  const describedBy = (field: FormField) => (fieldError?.field === field ? ids.error : undefined);
  const invalid = (field: FormField) => fieldError?.field === field;

  return (
    <section className="card" aria-labelledby={ids.heading}>
      <h2 id={ids.heading}>Produce a video</h2>

      <fieldset className="group" disabled={running}>
        <legend>Video</legend>
        {api.transport === 'electron' ? (
          <div className="row">
            <button
              type="button"
              data-testid="produce-choose-button"
              onClick={choose}
              disabled={chooseAction.pending}
            >
              Choose video…
            </button>
          </div>
        ) : (
          <>
            <label htmlFor={ids.file}>Video file (uploaded to the host)</label>
            <input
              id={ids.file}
              data-testid="produce-file-input"
              type="file"
              accept="video/*"
              onChange={onFile}
              aria-invalid={invalid('video')}
              aria-describedby={describedBy('video')}
            />
            <details className="host-path">
              <summary>Or a file that is already on the host</summary>
              <div className="row">
                <label htmlFor={ids.path} className="sr-only">
                  Path on the host
                </label>
                <input
                  id={ids.path}
                  className="grow mono"
                  type="text"
                  placeholder="/home/me/videos/clip.mp4"
                  value={hostPath}
                  onChange={(e) => setHostPath(e.target.value)}
                />
                <button
                  type="button"
                  className="secondary"
                  disabled={hostPath.trim() === '' || chooseAction.pending}
                  onClick={openPath}
                >
                  Open
                </button>
              </div>
            </details>
          </>
        )}
        {video.kind === 'uploading' && (
          <div className="upload" aria-live="polite">
            <div
              className="bar"
              role="progressbar"
              data-testid="produce-upload-progress"
              aria-label={`Uploading ${video.name}`}
              aria-valuemin={0}
              aria-valuemax={100}
              aria-valuenow={video.total > 0 ? Math.floor((video.loaded / video.total) * 100) : 0}
            >
              <div
                className="bar-fill"
                style={{ width: `${video.total > 0 ? (video.loaded / video.total) * 100 : 0}%` }}
              />
            </div>
            <span className="muted">
              Uploading {video.name}: {formatBytes(video.loaded)} of {formatBytes(video.total)}
            </span>
          </div>
        )}
        {video.kind === 'ready' && (
          <p className="ok-text" data-testid="produce-video-name">
            Ready: <strong>{video.ref.name}</strong> ({formatBytes(video.ref.sizeBytes)})
          </p>
        )}
        {(videoError ?? chooseAction.error) && (
          <p className="error-text" role="alert">
            {videoError ?? chooseAction.error}
          </p>
        )}
      </fieldset>

      <fieldset className="group" disabled={running}>
        <legend>Topic and format</legend>
        <label htmlFor={ids.topic}>Topic</label>
        <div className="row">
          <input
            id={ids.topic}
            data-testid="produce-topic-input"
            className="grow mono"
            type="text"
            list={ids.topics}
            autoComplete="off"
            spellCheck={false}
            placeholder="my-video"
            value={form.topic}
            aria-invalid={invalid('topic')}
            aria-describedby={describedBy('topic')}
            onChange={(e) => set('topic', e.target.value)}
          />
          <datalist id={ids.topics}>
            {kafka.topics
              .filter((t) => !t.internal)
              .map((t) => (
                <option key={t.name} value={t.name} />
              ))}
          </datalist>
        </div>
        <button
          type="button"
          className="link"
          data-testid="produce-preset-tutorial"
          onClick={() => {
            setForm((f) => ({ ...f, ...TUTORIAL_PRESET }));
            if (fieldError?.field === 'topic') setFieldError(null);
          }}
        >
          Tutorial format (distributed-video1, raw JPEG)
        </button>
        <div className="radios" role="radiogroup" aria-label="Message format">
          <label>
            <input
              type="radio"
              name={`${ids.topic}-format`}
              data-testid="produce-format-kvs"
              checked={form.format === 'kvs'}
              onChange={() => set('format', 'kvs')}
            />
            Kafka Video Studio — JPEG value plus headers (sequence, timing, size)
          </label>
          <label>
            <input
              type="radio"
              name={`${ids.topic}-format`}
              data-testid="produce-format-raw"
              checked={form.format === 'raw'}
              onChange={() => set('format', 'raw')}
            />
            Raw JPEG only — what the scotch.io tutorial&apos;s consumer reads
          </label>
        </div>
      </fieldset>

      <fieldset className="group" disabled={running}>
        <legend>Picture and pace</legend>
        <div className="grid-2">
          <div>
            <label htmlFor={ids.width}>Max width (px)</label>
            <input
              id={ids.width}
              type="number"
              min={16}
              max={8192}
              step={1}
              placeholder="source"
              value={form.maxWidth}
              aria-invalid={invalid('maxWidth')}
              aria-describedby={describedBy('maxWidth')}
              onChange={(e) => set('maxWidth', e.target.value)}
            />
          </div>
          <div>
            <label htmlFor={ids.height}>Max height (px)</label>
            <input
              id={ids.height}
              type="number"
              min={16}
              max={8192}
              step={1}
              placeholder="source"
              value={form.maxHeight}
              aria-invalid={invalid('maxHeight')}
              aria-describedby={describedBy('maxHeight')}
              onChange={(e) => set('maxHeight', e.target.value)}
            />
          </div>
          <div>
            <label htmlFor={ids.fps}>Frames per second</label>
            <input
              id={ids.fps}
              type="number"
              min={0.1}
              max={240}
              step="any"
              placeholder="source"
              value={form.fps}
              data-testid="produce-fps-input"
              aria-invalid={invalid('fps')}
              aria-describedby={describedBy('fps')}
              onChange={(e) => set('fps', e.target.value)}
            />
          </div>
          <div>
            <label htmlFor={ids.quality}>JPEG quality (1–100)</label>
            <input
              id={ids.quality}
              type="number"
              min={1}
              max={100}
              step={1}
              value={form.quality}
              data-testid="produce-quality-input"
              aria-invalid={invalid('quality')}
              aria-describedby={describedBy('quality')}
              onChange={(e) => set('quality', e.target.value)}
            />
          </div>
        </div>
        <div className="radios" role="radiogroup" aria-label="Pace">
          <label>
            <input
              type="radio"
              name={`${ids.fps}-pace`}
              data-testid="produce-realtime"
              checked={form.realtime}
              onChange={() => set('realtime', true)}
            />
            Real time (the video&apos;s own frame rate)
          </label>
          <label>
            <input
              type="radio"
              name={`${ids.fps}-pace`}
              data-testid="produce-max-rate"
              checked={!form.realtime}
              onChange={() => set('realtime', false)}
            />
            As fast as possible
          </label>
        </div>
        <label className="check" htmlFor={ids.loop}>
          <input
            id={ids.loop}
            type="checkbox"
            data-testid="produce-loop"
            checked={form.loop}
            onChange={(e) => set('loop', e.target.checked)}
          />
          Loop until stopped
        </label>
      </fieldset>

      <p id={ids.error} className="field-error" data-testid="produce-error" aria-live="polite">
        {fieldError?.error ?? startAction.error ?? stopAction.error ?? ''}
      </p>

      <div className="row">
        <button
          type="button"
          data-testid="produce-start-button"
          onClick={start}
          disabled={videoId === null || running || startAction.pending}
        >
          {startAction.pending ? 'Starting…' : 'Start producing'}
        </button>
        <button
          type="button"
          className="secondary"
          data-testid="produce-stop-button"
          onClick={stop}
          disabled={!running || stopAction.pending}
        >
          Stop
        </button>
        {videoId === null && video.kind !== 'uploading' && (
          <span className="muted">Choose a video first.</span>
        )}
      </div>

      <div
        className={`bar bar-main${pv.indeterminate ? ' indeterminate' : ''}`}
        role="progressbar"
        data-testid="produce-progress"
        aria-label="Frames acknowledged by Kafka"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pv.percent}
        aria-valuetext={pv.text}
      >
        <div className="bar-fill" style={{ width: `${pv.indeterminate ? 100 : pv.percent}%` }} />
      </div>
      <ProduceStats progress={progress} ended={ended} running={running} />
      {lostJob && (
        <p className="warning" role="alert">
          Lost contact with the host during this run, so how it ended is unknown. Check the topic
          once the host is back.
        </p>
      )}
    </section>
  );
}

function ProduceStats({
  progress,
  ended,
  running,
}: {
  progress: ProduceProgressEvent | null;
  ended: ProduceEndedEvent | null;
  running: boolean;
}) {
  return (
    <div aria-live="polite" data-testid="produce-status">
      {progress && (
        <dl className="stats">
          <div>
            <dt>Elapsed</dt>
            <dd>{formatDuration(ended?.durationMs ?? progress.elapsedMs)}</dd>
          </div>
          <div>
            <dt>Acked</dt>
            <dd>
              {formatCount(ended?.acked ?? progress.acked)}
              {progress.total !== null ? ` / ~${formatCount(progress.total)}` : ''}
            </dd>
          </div>
          <div>
            <dt>FPS</dt>
            <dd>{formatFps(progress.fps)}</dd>
          </div>
          <div>
            <dt>Rate</dt>
            <dd>{formatMegabytesPerSecond(progress.bytesPerSec)}</dd>
          </div>
          <div>
            <dt>Sent</dt>
            <dd>{formatBytes(ended?.bytes ?? progress.bytes)}</dd>
          </div>
          <div className={(ended?.failed ?? progress.failed) > 0 ? 'bad' : ''}>
            <dt>Failed</dt>
            <dd data-testid="produce-failed">{formatCount(ended?.failed ?? progress.failed)}</dd>
          </div>
          {progress.shrunk > 0 && (
            <div>
              <dt>Re-encoded smaller</dt>
              <dd>{formatCount(progress.shrunk)}</dd>
            </div>
          )}
        </dl>
      )}
      {running && progress && <BrokerLink progress={progress} />}
      {running && !progress && <p className="muted">Starting ffmpeg…</p>}
      {ended &&
        (ended.ok ? (
          <p className={ended.cancelled ? 'muted' : 'ok-text'}>
            {ended.cancelled ? 'Stopped' : 'Finished'}: {formatCount(ended.acked)} frames (
            {formatBytes(ended.bytes)}) in {formatDuration(ended.durationMs)}
            {ended.failed > 0 ? `, ${formatCount(ended.failed)} failed` : ''}.
          </p>
        ) : ended.cancelled ? (
          <p className="muted">Stopped after {formatCount(ended.acked)} frames.</p>
        ) : (
          <p className="error-text" role="alert">
            Production failed: {ended.error?.message ?? 'no reason was given.'}
          </p>
        ))}
    </div>
  );
}

function BrokerLink({ progress }: { progress: ProduceProgressEvent }) {
  const notice = brokerLinkNotice(progress);
  if (!notice) return null;
  return (
    <p
      className={notice.tone === 'error' ? 'error-text' : 'warning-text'}
      role="status"
      data-testid="produce-broker"
      data-state={progress.brokerState}
    >
      {notice.text}
    </p>
  );
}
