/** The produce form's settings: the topic and message format, then picture size and pace. */
import { useId } from 'react';
import type { TopicSummary } from '../../../../electron/shared/contract.js';
import { CheckField, RadioGroup } from '../../shared/choice-fields.js';
import { TextField } from '../../shared/labelled-field.js';
import { NumberField } from '../../shared/number-field.js';
import { TopicSuggestions } from '../../shared/topic-suggestions.js';
import type { FormField, ProduceForm } from './produce-logic.js';

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
  /** A number field of the form (text as typed: the form's checks read it). */
  const numberField = (
    key: 'maxWidth' | 'maxHeight' | 'fps' | 'quality',
    props: { label: string; min: number; max: number; step?: number | 'any'; testId?: string },
  ) => (
    <div>
      <NumberField
        label={props.label}
        min={props.min}
        max={props.max}
        step={props.step}
        placeholder={key === 'quality' ? undefined : 'source'}
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
              label: 'Kafka Video Studio — JPEG value plus headers (sequence, timing, size)',
            },
            {
              value: 'raw',
              testId: 'produce-format-raw',
              label: "Raw JPEG only — what the scotch.io tutorial's consumer reads",
            },
          ]}
        />
      </fieldset>

      <fieldset className="group" disabled={disabled}>
        <legend>Picture and pace</legend>
        <div className="grid-2">
          {numberField('maxWidth', { label: 'Max width (px)', min: 16, max: 8192 })}
          {numberField('maxHeight', { label: 'Max height (px)', min: 16, max: 8192 })}
          {numberField('fps', {
            label: 'Frames per second',
            min: 0.1,
            max: 240,
            step: 'any',
            testId: 'produce-fps-input',
          })}
          {numberField('quality', {
            label: 'JPEG quality (1–100)',
            min: 1,
            max: 100,
            testId: 'produce-quality-input',
          })}
        </div>
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
