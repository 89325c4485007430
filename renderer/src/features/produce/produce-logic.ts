/** The produce form: turning text fields into a ProduceRequest, and the progress figure. Pure. */
import {
  ProduceRequest,
  type ProduceEndedEvent,
  type ProduceProgressEvent,
} from '../../../../electron/shared/contract.js';
import { topicNameError } from '../../shared/topic-name.js';
import { streamNameProblem } from '../../../../electron/shared/stream-name.js';

export interface ProduceForm {
  readonly topic: string;
  readonly maxWidth: string;
  readonly maxHeight: string;
  readonly fps: string;
  readonly quality: string;
  readonly realtime: boolean;
  readonly loop: boolean;
  readonly format: 'kvs' | 'raw';
  /** H.264 (the default for new streams) or JPEG; the raw (tutorial) format is always JPEG. */
  readonly codec: 'h264' | 'jpeg';
  /** H.264 rate control: a bitrate (empty: from the size) or a constant quality (CRF). */
  readonly rateMode: 'bitrate' | 'crf';
  /** kbit/s */
  readonly bitrate: string;
  readonly crf: string;
  /** Seconds between keyframes. */
  readonly keyframeInterval: string;
  /** The stream's name (the `kvs-stream-name` header); empty: none. Not in the raw format. */
  readonly streamName: string;
}

export const DEFAULT_FORM: ProduceForm = {
  topic: '',
  maxWidth: '',
  maxHeight: '',
  fps: '',
  quality: '85',
  realtime: true,
  loop: false,
  format: 'kvs',
  codec: 'h264',
  rateMode: 'bitrate',
  bitrate: '',
  crf: '23',
  keyframeInterval: '1',
  streamName: '',
};

/** The scotch.io tutorial's topic and wire format (bare JPEG values). */
export const TUTORIAL_PRESET: Pick<ProduceForm, 'topic' | 'format' | 'codec'> = {
  topic: 'distributed-video1',
  format: 'raw',
  codec: 'jpeg',
};

/** The codec a form sends: the raw format carries JPEG only. */
export function effectiveCodec(form: Pick<ProduceForm, 'format' | 'codec'>): 'h264' | 'jpeg' {
  return form.format === 'raw' ? 'jpeg' : form.codec;
}

export type FormField =
  | 'video'
  | 'topic'
  | 'maxWidth'
  | 'maxHeight'
  | 'fps'
  | 'quality'
  | 'bitrate'
  | 'crf'
  | 'keyframeInterval'
  | 'streamName';

export type BuildResult =
  | { readonly ok: true; readonly request: ProduceRequest }
  | { readonly ok: false; readonly field: FormField; readonly error: string };

function optionalNumber(
  text: string,
  label: string,
  min: number,
  max: number,
  integer: boolean,
): { value: number | undefined } | { error: string } {
  const t = text.trim();
  if (t === '') return { value: undefined };
  const n = Number(t);
  const kind = integer ? 'a whole number' : 'a number';
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < min || n > max)
    return { error: `${label} must be ${kind} from ${min} to ${max} (or empty).` };
  return { value: n };
}

export function buildProduceRequest(videoId: string | null, form: ProduceForm): BuildResult {
  if (!videoId) return { ok: false, field: 'video', error: 'Choose a video file first.' };
  const topicError = topicNameError(form.topic);
  if (topicError) return { ok: false, field: 'topic', error: topicError };
  const width = optionalNumber(form.maxWidth, 'Max width', 16, 8192, true);
  if ('error' in width) return { ok: false, field: 'maxWidth', error: width.error };
  const height = optionalNumber(form.maxHeight, 'Max height', 16, 8192, true);
  if ('error' in height) return { ok: false, field: 'maxHeight', error: height.error };
  const fps = optionalNumber(form.fps, 'Frames per second', 0.1, 240, false);
  if ('error' in fps) return { ok: false, field: 'fps', error: fps.error };
  const name =
    form.format === 'kvs' && form.streamName.trim() !== '' ? form.streamName.trim() : null;
  const nameError = name === null ? null : streamNameProblem(name);
  if (nameError) return { ok: false, field: 'streamName', error: nameError };
  const codec = effectiveCodec(form);
  const encoding = codec === 'h264' ? h264Settings(form) : jpegSettings(form);
  if ('field' in encoding) return { ok: false, ...encoding };
  const candidate = {
    videoId,
    topic: form.topic.trim(),
    realtime: form.realtime,
    loop: form.loop,
    format: form.format,
    codec,
    ...(width.value === undefined ? {} : { maxWidth: width.value }),
    ...(height.value === undefined ? {} : { maxHeight: height.value }),
    ...(fps.value === undefined ? {} : { fps: fps.value }),
    ...(name === null ? {} : { streamName: name }),
    ...encoding,
  };
  const parsed = ProduceRequest.safeParse(candidate);
  if (!parsed.success)
    return {
      ok: false,
      field: 'video',
      error: parsed.error.issues[0]?.message ?? 'Invalid settings.',
    };
  return { ok: true, request: parsed.data };
}

type Encoding =
  | {
      readonly quality?: number;
      readonly bitrateKbps?: number;
      readonly crf?: number;
      readonly keyframeIntervalS?: number;
    }
  | { readonly field: FormField; readonly error: string };

function jpegSettings(form: ProduceForm): Encoding {
  const quality = optionalNumber(form.quality, 'Quality', 1, 100, true);
  if ('error' in quality) return { field: 'quality', error: quality.error };
  return { quality: quality.value ?? 85 };
}

function h264Settings(form: ProduceForm): Encoding {
  const interval = optionalNumber(form.keyframeInterval, 'Keyframe interval', 0.1, 60, false);
  if ('error' in interval) return { field: 'keyframeInterval', error: interval.error };
  const keyframe = interval.value === undefined ? {} : { keyframeIntervalS: interval.value };
  if (form.rateMode === 'crf') {
    const crf = optionalNumber(form.crf, 'CRF', 0, 51, true);
    if ('error' in crf) return { field: 'crf', error: crf.error };
    return { ...keyframe, ...(crf.value === undefined ? {} : { crf: crf.value }) };
  }
  const bitrate = optionalNumber(form.bitrate, 'Bitrate', 50, 100_000, true);
  if ('error' in bitrate) return { field: 'bitrate', error: bitrate.error };
  return { ...keyframe, ...(bitrate.value === undefined ? {} : { bitrateKbps: bitrate.value }) };
}

export interface ProgressView {
  /** 0–100, always a number (aria-valuenow). */
  readonly percent: number;
  /** No known total while running: show an indeterminate bar. */
  readonly indeterminate: boolean;
  /** aria-valuetext */
  readonly text: string;
}

/**
 * Frames acked of the estimated total. 100 only once the run ended well (the total is an
 * estimate, so a running job stays at 99 at most); unknown total → 0 and indeterminate.
 */
export function progressView(
  progress: ProduceProgressEvent | null,
  ended: ProduceEndedEvent | null,
): ProgressView {
  if (ended?.ok && !ended.cancelled)
    return { percent: 100, indeterminate: false, text: `Done: ${ended.acked} frames acked` };
  const acked = ended?.acked ?? progress?.acked ?? 0;
  const total = progress?.total ?? null;
  const running = ended === null && progress !== null;
  if (total === null || total <= 0) {
    return {
      percent: 0,
      indeterminate: running,
      text: progress ? `${acked} frames acked (total unknown)` : 'Not started',
    };
  }
  const percent = Math.max(0, Math.min(99, Math.floor((acked / total) * 100)));
  return {
    percent,
    indeterminate: false,
    text: `${percent}% — ${acked} of about ${total} frames acked`,
  };
}

/**
 * What to tell the user about the producer's link to Kafka while a job runs; null when it is fine.
 * `tone` picks the styling: a restart being ridden out is a warning, frames being lost an error.
 */
export function brokerLinkNotice(
  p: Pick<ProduceProgressEvent, 'brokerState' | 'brokerError' | 'failed'>,
): { readonly tone: 'warning' | 'error'; readonly text: string } | null {
  const why = p.brokerError ? ` (${p.brokerError.message})` : '';
  if (p.brokerState === 'reconnecting')
    return {
      tone: 'warning',
      text: `Kafka is not answering — reconnecting. Frames wait and nothing is lost yet${why}.`,
    };
  if (p.brokerState === 'down')
    return {
      tone: 'error',
      text:
        `Kafka has been unreachable longer than the retry budget: ${p.failed} frame${p.failed === 1 ? '' : 's'} not delivered so far. ` +
        `Sending resumes by itself when it is back${why}.`,
    };
  return null;
}
