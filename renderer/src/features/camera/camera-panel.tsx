/**
 * Stream a camera into a topic: pick the camera, resolution and fps, Start/Stop, a preview while
 * streaming. The page captures (getUserMedia, video only) and encodes (H.264 with WebCodecs, or
 * JPEG where H.264 cannot be encoded here); the app services produce the frames like a file's.
 */
import { useEffect, useId, useRef, useState } from 'react';
import type { ProduceEndedEvent } from '../../../../electron/shared/contract.js';
import { useApi, useServicesLost } from '../../shared/api-context.js';
import { useKafka } from '../../shared/kafka-context.js';
import { SelectField, TextField } from '../../shared/labelled-field.js';
import { NumberField } from '../../shared/number-field.js';
import { TopicSuggestions } from '../../shared/topic-suggestions.js';
import { errorMessage } from '../../transport/errors.js';
import { ProduceProgress } from '../produce/produce-stats.js';
import { listCameras, openCamera, stopCamera } from './camera-capture.js';
import {
  createCameraEncoder,
  type CameraEncoder,
  type EncodedCameraFrame,
} from './camera-encoder.js';
import {
  cameraLabel,
  cameraProblem,
  cameraStartRequest,
  checkCameraForm,
  DEFAULT_CAMERA_FORM,
  RESOLUTIONS,
  type CameraForm,
  type CameraFormField,
} from './camera-logic.js';
import { CameraStream, type CameraStreamStats } from './camera-stream.js';
import { useCameraJob } from './use-camera-job.js';

type Phase = 'idle' | 'starting' | 'streaming' | 'stopping';

/** `onBusy`: told when the camera starts or stops streaming (the produce panel locks its source). */
export function CameraPanel({ onBusy }: { readonly onBusy?: (busy: boolean) => void } = {}) {
  const api = useApi();
  const kafka = useKafka();
  const ids = { error: useId(), topics: useId() };
  const [form, setForm] = useState<CameraForm>(DEFAULT_CAMERA_FORM);
  const [fieldError, setFieldError] = useState<{ field: CameraFormField; error: string } | null>(
    null,
  );
  const [devices, setDevices] = useState<MediaDeviceInfo[]>([]);
  const [phase, setPhase] = useState<Phase>('idle');
  const [problem, setProblem] = useState<string | null>(null);
  const [stats, setStats] = useState<CameraStreamStats | null>(null);
  const preview = useRef<HTMLVideoElement>(null);
  const live = useRef<{
    stream: MediaStream;
    camera: CameraStream | null;
    jobId: string | null;
  } | null>(null);

  /** Release the camera and the encoder; with `stopJob`, ask the service to stop the job too. */
  const teardown = async (stopJob: boolean): Promise<void> => {
    const l = live.current;
    live.current = null;
    await l?.camera?.stop();
    stopCamera(l?.stream ?? null);
    if (preview.current) preview.current.srcObject = null;
    if (stopJob && l?.jobId)
      await api.invoke('produce:stop', { jobId: l.jobId }).catch(() => undefined);
  };

  const job = useCameraJob((e: ProduceEndedEvent) => {
    // the service ended it (a broker error, no frames for a while): release the camera
    if (e.error) setProblem(e.error.message);
    void teardown(false).then(() => setPhase('idle'));
  });

  useServicesLost(() => {
    if (live.current === null) return;
    setProblem(
      'Lost the connection to the service, so the camera stream stopped. Frames sent before that are in the topic.',
    );
    void teardown(false).then(() => setPhase('idle'));
  });

  const refreshDevices = () => {
    void listCameras()
      .then(setDevices)
      .catch(() => setDevices([]));
  };
  useEffect(() => {
    refreshDevices();
    const md = navigator.mediaDevices;
    md?.addEventListener?.('devicechange', refreshDevices);
    return () => md?.removeEventListener?.('devicechange', refreshDevices);
  }, []);

  // stats of the page's side while streaming
  useEffect(() => {
    if (phase !== 'streaming') return;
    const t = setInterval(() => setStats(live.current?.camera?.stats() ?? null), 500);
    return () => clearInterval(t);
  }, [phase]);

  // the panel goes (File chosen again, the page closes): the camera goes too
  useEffect(
    () => () => void teardown(true),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- on unmount only
    [],
  );

  const set = <K extends keyof CameraForm>(key: K, value: CameraForm[K]) => {
    setForm((f) => ({ ...f, [key]: value }));
    if (fieldError?.field === key) setFieldError(null);
  };

  const start = async () => {
    const checked = checkCameraForm(form);
    if (!checked.ok) {
      setFieldError({ field: checked.field, error: checked.error });
      return;
    }
    const s = checked.settings;
    setFieldError(null);
    setProblem(null);
    setStats(null);
    job.reset();
    setPhase('starting');
    let stream: MediaStream;
    try {
      stream = await openCamera(s);
    } catch (err) {
      setProblem(cameraProblem(err).message);
      setPhase('idle');
      return;
    }
    live.current = { stream, camera: null, jobId: null };
    refreshDevices(); // labels come with the permission
    const track = stream.getVideoTracks()[0];
    const video = preview.current;
    if (!track || !video) {
      await teardown(false);
      setProblem('The camera gave no video.');
      setPhase('idle');
      return;
    }
    video.srcObject = stream;
    void video.play().catch(() => undefined);
    const got = track.getSettings();
    const size = { width: got.width ?? s.width, height: got.height ?? s.height };
    const fps = Math.round(Math.min(got.frameRate ?? s.fps, s.fps)) || s.fps;
    // the encoder is this function's until a CameraStream takes it (then the stream closes it):
    // a start that fails or is stopped before that closes it here, or it stays configured
    let encoder: CameraEncoder | null = null;
    const dropEncoder = async (): Promise<void> => {
      await encoder?.close().catch(() => undefined);
      encoder = null;
    };
    try {
      // the codec is known once the encoder is made: make it first, hand its output to the stream
      let sink: { frame: (f: EncodedCameraFrame) => void; error: (e: Error) => void } = {
        frame: () => undefined,
        error: () => undefined,
      };
      const made = await createCameraEncoder({
        ...size,
        fps,
        onFrame: (f) => sink.frame(f),
        onError: (e) => sink.error(e),
      });
      encoder = made;
      const { jobId } = await api.invoke(
        'camera:start',
        cameraStartRequest(
          s.topic,
          made.codec,
          { width: made.width, height: made.height },
          fps,
          s.streamName,
        ),
      );
      job.follow(jobId);
      if (live.current === null) {
        // stopped while camera:start was asked
        await dropEncoder();
        await api.invoke('produce:stop', { jobId }).catch(() => undefined);
        return;
      }
      live.current.jobId = jobId;
      void kafka.refreshTopics();
      const camera = new CameraStream({
        api,
        jobId,
        track,
        preview: video,
        fps,
        encoder: (frame, error) => {
          sink = { frame, error };
          encoder = null; // the stream's now
          return Promise.resolve(made);
        },
        onProblem: (message) => {
          setProblem(message);
          setPhase('stopping');
          void teardown(true).then(() => setPhase('idle'));
        },
      });
      live.current.camera = camera;
      await camera.start();
      setPhase('streaming');
    } catch (err) {
      await dropEncoder();
      await teardown(true);
      setProblem(errorMessage(err));
      setPhase('idle');
    }
  };

  const stop = () => {
    setPhase('stopping');
    void teardown(true).then(() => setPhase('idle'));
  };

  const busy = phase !== 'idle';
  useEffect(() => {
    onBusy?.(busy);
  }, [busy, onBusy]);
  const invalid = (f: CameraFormField) => fieldError?.field === f;
  const describedBy = (f: CameraFormField) => (invalid(f) ? ids.error : undefined);
  const running = job.jobId !== null && job.ended === null;

  return (
    <div data-testid="camera-panel">
      <fieldset className="group" disabled={busy}>
        <legend>Camera</legend>
        <SelectField
          label="Camera"
          data-testid="camera-device-select"
          value={form.deviceId}
          onChange={(v) => set('deviceId', v)}
          options={[
            { value: '', label: 'Default camera' },
            ...devices
              .filter((d) => d.deviceId !== '')
              .map((d, i) => ({ value: d.deviceId, label: cameraLabel(d, i) })),
          ]}
        />
        <SelectField
          label="Resolution"
          data-testid="camera-resolution-select"
          value={form.resolution}
          aria-invalid={invalid('resolution')}
          aria-describedby={describedBy('resolution')}
          onChange={(v) => set('resolution', v)}
          options={RESOLUTIONS.map((r) => ({ value: r.value, label: r.label }))}
        />
        <div>
          <NumberField
            label="fps"
            min={1}
            max={60}
            value={form.fps}
            data-testid="camera-fps-input"
            invalid={invalid('fps')}
            aria-describedby={describedBy('fps')}
            onChange={(v) => set('fps', v)}
          />
        </div>
        <TextField
          label="Topic"
          data-testid="camera-topic-input"
          className="grow mono"
          list={ids.topics}
          value={form.topic}
          invalid={invalid('topic')}
          aria-describedby={describedBy('topic')}
          onChange={(v) => set('topic', v)}
          beside={<TopicSuggestions id={ids.topics} topics={kafka.topics} />}
        />
        <TextField
          label="Stream name (optional)"
          data-testid="camera-stream-name-input"
          className="grow"
          placeholder="e.g. Front door"
          value={form.streamName}
          invalid={invalid('streamName')}
          aria-describedby={describedBy('streamName')}
          onChange={(v) => set('streamName', v)}
        />
      </fieldset>

      <p
        id={ids.error}
        className="field-error"
        data-testid="camera-error"
        aria-live="polite"
        role="alert"
      >
        {fieldError?.error ?? problem ?? ''}
      </p>

      <div className="row">
        <button
          type="button"
          data-testid="camera-start-button"
          onClick={() => void start()}
          disabled={busy}
        >
          {phase === 'starting' ? 'Starting…' : 'Start camera'}
        </button>
        <button
          type="button"
          className="secondary"
          data-testid="camera-stop-button"
          onClick={stop}
          disabled={phase !== 'streaming'}
        >
          Stop
        </button>
        <span className="muted" data-testid="camera-state" data-phase={phase}>
          {phase === 'streaming'
            ? `Streaming ${stats?.codec === 'jpeg' ? 'JPEG' : `H.264${stats?.codec ? ` (${stats.codec})` : ''}`} · ${stats?.sent ?? 0} frames sent · ${(stats?.droppedInPage ?? 0) + (job.progress?.dropped ?? 0)} dropped`
            : phase === 'starting'
              ? 'Opening the camera…'
              : ''}
        </span>
      </div>

      <video
        ref={preview}
        className="camera-preview"
        data-testid="camera-preview"
        hidden={!busy}
        muted
        playsInline
        autoPlay
        width={320}
      />

      <div data-testid="camera-run">
        <ProduceProgress progress={job.progress} ended={job.ended} running={running} />
      </div>
    </div>
  );
}
