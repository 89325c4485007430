/**
 * The produce form's settings: the topic, message format and codec, then picture size, the
 * codec's quality (JPEG quality, or H.264 bitrate/CRF and keyframe interval) and pace.
 */
import { useId } from 'react';
import type { TopicSummary } from '../../../../electron/shared/contract.js';
import { CheckField, RadioGroup } from '../../shared/choice-fields.js';
import { SelectField, TextField } from '../../shared/labelled-field.js';
import { NumberField } from '../../shared/number-field.js';
import { TopicSuggestions } from '../../shared/topic-suggestions.js';
import { effectiveCodec, type FormField, type ProduceForm } from './produce-logic.js';

export interface ProduceSettingsProps {
  readonly form: ProduceForm;
  set<K extends keyof ProduceForm>(key: K, value: ProduceForm[K]): void;
  /** The scotch.io tutorial's topic and format. */
  onTutorialPreset(): void;
  readonly topics: readonly TopicSummary[];
  /** While a run goes, nothing changes. */
  readonly disabled: boolean;
  invalid(field: FormField): boolean;
  describedBy(field: FormField): string | undefined;
}

export function ProduceSettings({
  form,
  set,
  onTutorialPreset,
  topics,
  disabled,
  invalid,
  describedBy,
}: ProduceSettingsProps) {
  const topicList = useId();
  const codec = effectiveCodec(form);
  /** A number field of the form (text as typed: the form's checks read it). */
  const numberField = (
    key: 'maxWidth' | 'maxHeight' | 'fps' | 'quality' | 'bitrate' | 'crf' | 'keyframeInterval',
    props: {
      label: string;
      min: number;
      max: number;
      step?: number | 'any';
      testId?: string;
      placeholder?: string;
    },
  ) => (
    <div>
      <NumberField
        label={props.label}
        min={props.min}
        max={props.max}
        step={props.step}
        placeholder={props.placeholder}
        value={form[key]}
        data-testid={props.testId}
        invalid={invalid(key)}
        aria-describedby={describedBy(key)}
        onChange={(v) => set(key, v)}
      />
    </div>
  );

  return (
    <>
      <fieldset className="group" disabled={disabled}>
        <legend>Topic and format</legend>
        <TextField
          label="Topic"
          data-testid="produce-topic-input"
          className="grow mono"
          list={topicList}
          placeholder="my-video"
          value={form.topic}
          invalid={invalid('topic')}
          aria-describedby={describedBy('topic')}
          onChange={(v) => set('topic', v)}
          beside={<TopicSuggestions id={topicList} topics={topics} />}
        />
        <TextField
          label="Stream name"
          data-testid="produce-stream-name-input"
          className="grow"
          placeholder={
            form.format === 'raw'
              ? 'none: the raw format has no headers'
              : 'optional, e.g. Front door'
          }
          value={form.format === 'raw' ? '' : form.streamName}
          disabled={form.format === 'raw'}
          invalid={invalid('streamName')}
          aria-describedby={describedBy('streamName')}
          onChange={(v) => set('streamName', v)}
        />
        <button
          type="button"
          className="link"
          data-testid="produce-preset-tutorial"
          onClick={onTutorialPreset}
        >
          Tutorial format (distributed-video1, raw JPEG)
        </button>
        <RadioGroup
          label="Message format"
          value={form.format}
          onChange={(format) => set('format', format)}
          options={[
            {
              value: 'kvs',
              testId: 'produce-format-kvs',
              label:
                'Kafka Video Studio — one frame per message plus headers (sequence, timing, size)',
            },
            {
              value: 'raw',
              testId: 'produce-format-raw',
              label: "Raw JPEG only — what the scotch.io tutorial's consumer reads",
            },
          ]}
        />
        <SelectField
          label="Codec"
          data-testid="produce-codec-select"
          value={codec}
          disabled={form.format === 'raw'}
          onChange={(c) => set('codec', c)}
          options={[
            { value: 'h264', label: 'H.264 — one access unit per message, 6–10× smaller' },
            { value: 'jpeg', label: 'JPEG — one image per message' },
          ]}
        />
        {form.format === 'raw' && (
          <p className="muted" data-testid="produce-codec-note">
            The tutorial's raw format carries JPEG images only.
          </p>
        )}
      </fieldset>

      <fieldset className="group" disabled={disabled}>
        <legend>Picture and pace</legend>
        <div className="grid-2">
          {numberField('maxWidth', {
            label: 'Max width (px)',
            min: 16,
            max: 8192,
            placeholder: 'source',
          })}
          {numberField('maxHeight', {
            label: 'Max height (px)',
            min: 16,
            max: 8192,
            placeholder: 'source',
          })}
          {numberField('fps', {
            label: 'Frames per second',
            min: 0.1,
            max: 240,
            step: 'any',
            testId: 'produce-fps-input',
            placeholder: 'source',
          })}
          {codec === 'jpeg' &&
            numberField('quality', {
              label: 'JPEG quality (1–100)',
              min: 1,
              max: 100,
              testId: 'produce-quality-input',
            })}
          {codec === 'h264' &&
            numberField('keyframeInterval', {
              label: 'Keyframe every (s)',
              min: 0.1,
              max: 60,
              step: 'any',
              testId: 'produce-keyframe-interval-input',
            })}
        </div>
        {codec === 'h264' && (
          <>
            <RadioGroup
              label="H.264 rate"
              value={form.rateMode}
              onChange={(rateMode) => set('rateMode', rateMode)}
              options={[
                { value: 'bitrate', testId: 'produce-rate-bitrate', label: 'Bitrate' },
                {
                  value: 'crf',
                  testId: 'produce-rate-crf',
                  label: 'Constant quality (CRF, lower is better)',
                },
              ]}
            />
            <div className="grid-2">
              {form.rateMode === 'bitrate'
                ? numberField('bitrate', {
                    label: 'Bitrate (kbit/s)',
                    min: 50,
                    max: 100_000,
                    testId: 'produce-bitrate-input',
                    placeholder: 'from the size',
                  })
                : numberField('crf', {
                    label: 'CRF (0–51)',
                    min: 0,
                    max: 51,
                    testId: 'produce-crf-input',
                  })}
            </div>
          </>
        )}
        <RadioGroup
          label="Pace"
          value={form.realtime}
          onChange={(realtime) => set('realtime', realtime)}
          options={[
            {
              value: true,
              testId: 'produce-realtime',
              label: "Real time (the video's own frame rate)",
            },
            { value: false, testId: 'produce-max-rate', label: 'As fast as possible' },
          ]}
        />
        <CheckField
          label="Loop until stopped"
          data-testid="produce-loop"
          checked={form.loop}
          onChange={(loop) => set('loop', loop)}
        />
      </fieldset>
    </>
  );
}
