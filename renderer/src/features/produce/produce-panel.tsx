/**
 * Produce: pick a video (browser: upload to the service with progress; desktop: the native
 * dialog), or a live source (a network URL or a camera on the host: source-choice.tsx), choose
 * topic and settings, start/stop, and follow the run's progress.
 */
import { useId, useState } from 'react';
import { useAction } from '../../shared/api-context.js';
import { useKafka } from '../../shared/kafka-context.js';
import { usePickedFile } from '../../shared/picked-file.js';
import {
  buildProduceRequest,
  DEFAULT_FORM,
  TUTORIAL_PRESET,
  type FormField,
  type ProduceForm,
} from './produce-logic.js';
import { ProduceSettings } from './produce-settings.js';
import { ProduceProgress } from './produce-stats.js';
import { useProduceJob } from './use-produce-job.js';
import { VideoPicker } from './video-picker.js';
import { buildLiveRequest, DEFAULT_SOURCE, type SourceForm } from './live-source-logic.js';
import { LiveSourceStatus } from './live-source-status.js';
import { SourceChoice } from './source-choice.js';
import { CameraPanel } from '../camera/camera-panel.js';

export function ProducePanel() {
  const kafka = useKafka();
  const ids = { heading: useId(), error: useId() };
  const video = usePickedFile();
  const [form, setForm] = useState<ProduceForm>(DEFAULT_FORM);
  const [source, setSourceForm] = useState<SourceForm>(DEFAULT_SOURCE);
  // a camera streaming: leaving its source would end the stream without a word
  const [cameraBusy, setCameraBusy] = useState(false);
  const setSource = (patch: Partial<SourceForm>) => {
    setSourceForm((s) => ({ ...s, ...patch }));
    if (fieldError?.field === 'source') setFieldError(null);
  };
  const live = source.kind !== 'file';
  const [fieldError, setFieldError] = useState<{ field: FormField; error: string } | null>(null);
  const job = useProduceJob();
  const startAction = useAction();
  const stopAction = useAction();

  const videoId = video.state.kind === 'ready' ? video.state.ref.videoId : null;
  const invalid = (field: FormField) => fieldError?.field === field;
  const describedBy = (field: FormField) => (invalid(field) ? ids.error : undefined);
  const clearFieldError = (field: FormField) =>
    setFieldError((e) => (e?.field === field ? null : e));

  const set = <K extends keyof ProduceForm>(key: K, value: ProduceForm[K]) => {
    setForm((f) => ({ ...f, [key]: value }));
    if (fieldError?.field === key) setFieldError(null);
  };

  const start = () => {
    const built = live ? buildLiveRequest(source, form) : buildProduceRequest(videoId, form);
    if (!built.ok) {
      setFieldError({ field: built.field, error: built.error });
      return;
    }
    setFieldError(null);
    void startAction.run(async () => {
      await job.start(built.request);
      // The topic may be new.
      void kafka.refreshTopics();
    });
  };

  const stop = () => {
    if (job.jobId === null) return;
    void stopAction.run(job.stop);
  };

  return (
    <section className="card" aria-labelledby={ids.heading}>
      <h2 id={ids.heading}>Produce a video</h2>

      <SourceChoice
        source={source}
        setSource={setSource}
        disabled={job.running || cameraBusy}
        invalid={invalid('source')}
        describedBy={describedBy('source')}
        filePicker={
          <VideoPicker
            video={video}
            disabled={job.running}
            invalid={invalid('video')}
            describedBy={describedBy('video')}
            onUploaded={() => clearFieldError('video')}
          />
        }
      />
      {source.kind === 'camera' ? (
        // the page's own camera: encoded here, its own settings and job (features/camera)
        <CameraPanel onBusy={setCameraBusy} />
      ) : (
        <>
          <ProduceSettings
            form={form}
            set={set}
            onTutorialPreset={() => {
              setForm((f) => ({ ...f, ...TUTORIAL_PRESET }));
              if (fieldError?.field === 'topic') setFieldError(null);
            }}
            topics={kafka.topics}
            disabled={job.running}
            invalid={invalid}
            describedBy={describedBy}
          />

          <p id={ids.error} className="field-error" data-testid="produce-error" aria-live="polite">
            {fieldError?.error ?? startAction.error ?? stopAction.error ?? ''}
          </p>

          <div className="row">
            <button
              type="button"
              data-testid="produce-start-button"
              onClick={start}
              disabled={(!live && videoId === null) || job.running || startAction.pending}
            >
              {startAction.pending ? 'Starting…' : 'Start producing'}
            </button>
            <button
              type="button"
              className="secondary"
              data-testid="produce-stop-button"
              onClick={stop}
              disabled={!job.running || stopAction.pending}
            >
              Stop
            </button>
            {!live && videoId === null && video.state.kind !== 'uploading' && (
              <span className="muted">Choose a video first.</span>
            )}
          </div>

          <ProduceProgress progress={job.progress} ended={job.ended} running={job.running} />
          <LiveSourceStatus progress={job.progress} running={job.running} />
          {job.lost && (
            <p className="warning" role="alert">
              Lost contact with the service during this run, so how it ended is unknown. Check the
              topic once the service is back.
            </p>
          )}
        </>
      )}
    </section>
  );
}
