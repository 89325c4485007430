/**
 * The camera panel's pure rules: the form and its checks, the H.264 codec string for a size and
 * rate, when a keyframe is due, and what to tell a person when the camera cannot be used.
 * No DOM here (unit-tested in Node).
 */
import type { CameraStartRequest } from '../../../../electron/shared/contract.js';
import { streamNameProblem } from '../../../../electron/shared/stream-name.js';
import { topicNameError } from '../../shared/topic-name.js';

export interface CameraForm {
  readonly topic: string;
  /** '' = the default camera, else a deviceId from enumerateDevices. */
  readonly deviceId: string;
  /** One of RESOLUTIONS' values, e.g. '640x360'. */
  readonly resolution: string;
  /** As typed. */
  readonly fps: string;
  /** The stream's name as typed ('' = none). */
  readonly streamName: string;
}

export const RESOLUTIONS = [
  { value: '320x240', label: '320 × 240' },
  { value: '640x360', label: '640 × 360' },
  { value: '640x480', label: '640 × 480' },
  { value: '1280x720', label: '1280 × 720 (720p)' },
  { value: '1920x1080', label: '1920 × 1080 (1080p)' },
] as const;

export const DEFAULT_CAMERA_FORM: CameraForm = {
  topic: 'camera',
  deviceId: '',
  resolution: '640x360',
  fps: '30',
  streamName: '',
};

export type CameraFormField = 'topic' | 'resolution' | 'fps' | 'streamName';

export interface CameraSettings {
  readonly topic: string;
  readonly deviceId: string | null;
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  readonly streamName: string | null;
}

export function checkCameraForm(
  form: CameraForm,
):
  | { readonly ok: true; readonly settings: CameraSettings }
  | { readonly ok: false; readonly field: CameraFormField; readonly error: string } {
  const topicProblem = topicNameError(form.topic);
  if (topicProblem !== null) return { ok: false, field: 'topic', error: topicProblem };
  const m = /^(\d{2,4})x(\d{2,4})$/.exec(form.resolution);
  if (!m) return { ok: false, field: 'resolution', error: 'Choose a resolution.' };
  const fps = Number(form.fps.trim());
  if (form.fps.trim() === '' || !Number.isInteger(fps) || fps < 1 || fps > 60)
    return { ok: false, field: 'fps', error: 'Frames per second: a whole number from 1 to 60.' };
  const streamName = form.streamName.trim() === '' ? null : form.streamName.trim();
  const nameProblem = streamName === null ? null : streamNameProblem(streamName);
  if (nameProblem !== null) return { ok: false, field: 'streamName', error: nameProblem };
  return {
    ok: true,
    settings: {
      topic: form.topic.trim(),
      deviceId: form.deviceId === '' ? null : form.deviceId,
      width: Number(m[1]),
      height: Number(m[2]),
      fps,
      streamName,
    },
  };
}

/** What camera:start is asked, from what the camera actually delivers. */
export function cameraStartRequest(
  topic: string,
  codec: 'h264' | 'jpeg',
  size: { readonly width: number; readonly height: number },
  fps: number,
  streamName: string | null = null,
): CameraStartRequest {
  return {
    ...(streamName === null ? {} : { streamName }),
    topic,
    codec,
    width: Math.min(Math.max(Math.round(size.width), 16), 4096),
    height: Math.min(Math.max(Math.round(size.height), 16), 4096),
    fps: Math.min(Math.max(fps, 1), 120),
    format: 'kvs',
  };
}

/** H.264 levels (ITU-T H.264 Table A-1): level_idc, max macroblocks per frame, per second. */
const LEVELS: ReadonlyArray<readonly [number, number, number]> = [
  [0x1e, 1620, 40_500], // 3.0
  [0x1f, 3600, 108_000], // 3.1
  [0x20, 5120, 216_000], // 3.2
  [0x28, 8192, 245_760], // 4.0
  [0x2a, 8704, 522_240], // 4.2
  [0x32, 22_080, 589_824], // 5.0
  [0x33, 36_864, 983_040], // 5.1
  [0x34, 36_864, 2_073_600], // 5.2
];

/**
 * The codec string (RFC 6381 `avc1.PPCCLL`) for Constrained Baseline (profile 0x42, constraint
 * flags 0xE0: no B-frames, so frames come out in display order) at the lowest level that holds
 * this size and rate.
 */
export function h264CodecString(width: number, height: number, fps: number): string {
  const mbs = Math.ceil(width / 16) * Math.ceil(height / 16);
  const level = LEVELS.find(([, perFrame, perSec]) => mbs <= perFrame && mbs * fps <= perSec);
  const idc = (level ?? LEVELS[LEVELS.length - 1]!)[0];
  return `avc1.42E0${idc.toString(16).toUpperCase().padStart(2, '0')}`;
}

/** The bitrate the CLI uses by default: 0.06 bits per pixel (720p30 ≈ 1.7 Mbit/s). */
export function defaultBitrate(width: number, height: number, fps: number): number {
  return Math.round(Math.min(Math.max(width * height * fps * 0.06, 200_000), 20_000_000));
}

/** H.264 dimensions must be even. */
export function evenSize(width: number, height: number): { width: number; height: number } {
  return { width: Math.max(2, width - (width % 2)), height: Math.max(2, height - (height % 2)) };
}

/** A keyframe every `intervalMs` (about a second), and whenever one is owed (a dropped frame). */
export function keyframeDue(
  nowMs: number,
  lastKeyframeMs: number | null,
  owed: boolean,
  intervalMs = 1000,
): boolean {
  return owed || lastKeyframeMs === null || nowMs - lastKeyframeMs >= intervalMs;
}

/**
 * Skip a camera frame instead of encoding it when the encoder is behind (its queue) or when it
 * comes sooner than the chosen rate allows (a camera faster than asked).
 */
export function shouldSkipFrame(
  nowMs: number,
  lastTakenMs: number | null,
  fps: number,
  encodeQueueSize: number,
): boolean {
  if (encodeQueueSize > 2) return true;
  return lastTakenMs !== null && nowMs - lastTakenMs < (1000 / fps) * 0.8;
}

export type CameraProblem =
  'permission-denied' | 'no-camera' | 'camera-busy' | 'unsupported' | 'insecure' | 'other';

/** What getUserMedia's failure means, and the sentence for it. */
export function cameraProblem(err: unknown): { kind: CameraProblem; message: string } {
  const name = err instanceof Error || isDomLike(err) ? (err as { name: string }).name : '';
  switch (name) {
    case 'NotAllowedError':
    case 'PermissionDeniedError':
    case 'SecurityError':
      return {
        kind: 'permission-denied',
        message:
          'Permission to use the camera was denied. Allow camera access for this page (the browser’s site settings, or the operating system’s privacy settings) and try again.',
      };
    case 'NotFoundError':
    case 'DevicesNotFoundError':
    case 'OverconstrainedError':
      return {
        kind: 'no-camera',
        message:
          name === 'OverconstrainedError'
            ? 'That camera is not there any more, or it cannot deliver this resolution. Pick another camera or resolution.'
            : 'No camera was found. Plug one in (or pick another) and try again.',
      };
    case 'NotReadableError':
    case 'TrackStartError':
    case 'AbortError':
      return {
        kind: 'camera-busy',
        message:
          'The camera could not be started: another app may be using it, or it was unplugged. Close the other app (or plug it back in) and try again.',
      };
    default:
      return {
        kind: 'other',
        message: `The camera could not be started: ${err instanceof Error ? err.message : String(err)}`,
      };
  }
}

function isDomLike(err: unknown): boolean {
  return (
    typeof err === 'object' && err !== null && typeof (err as { name?: unknown }).name === 'string'
  );
}

/** The camera stopped while streaming (unplugged, taken by another app, turned off). */
export const CAMERA_ENDED_MESSAGE =
  'The camera stopped delivering frames (unplugged, or taken by another app), so the stream was stopped. Frames sent before that are in the topic.';

/** A device's name in the picker (labels are empty until the page may use a camera). */
export function cameraLabel(device: { readonly label: string }, index: number): string {
  return device.label.trim() === '' ? `Camera ${index + 1}` : device.label;
}

/**
 * The codec string `avc1.PPCCLL` from the SPS in an Annex B access unit (the NAL of type 7:
 * profile_idc, the constraint flags, level_idc follow its header byte); null when there is none.
 * What the encoder really wrote, so the wire header matches the bytes.
 */
export function codecFromAnnexB(au: Uint8Array): string | null {
  for (let i = 0; i + 6 < au.length; i++) {
    if (au[i] !== 0 || au[i + 1] !== 0) continue;
    const start = au[i + 2] === 1 ? i + 3 : au[i + 2] === 0 && au[i + 3] === 1 ? i + 4 : -1;
    if (start < 0 || start + 3 >= au.length) continue;
    if (((au[start] ?? 0) & 0x1f) !== 7) continue;
    const hex = [au[start + 1], au[start + 2], au[start + 3]]
      .map((b) => (b ?? 0).toString(16).toUpperCase().padStart(2, '0'))
      .join('');
    return `avc1.${hex}`;
  }
  return null;
}
