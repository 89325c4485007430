/** What the export panel says: the range in words, the result line, the error. Pure. */
import type { ExportEndedEvent } from '../../../../electron/shared/contract.js';
import { formatBytes, formatCount, formatTimeRange } from '../../shared/format.js';

export interface ExportRangeProp {
  readonly fromMs: number;
  readonly toMs: number;
}

/** Seconds with up to 2 decimals: 1500 → "1.5 s", 65_000 → "65 s". */
export function formatSeconds(ms: number): string {
  const s = Math.round(ms / 10) / 100;
  return `${s} s`;
}

/** The range in words. */
export function rangeText(range: ExportRangeProp | null, streamId: string | null): string {
  const stream = streamId === null ? 'the first stream' : `stream "${streamId}"`;
  if (range === null) return `The whole topic (${stream}), from its first frame to its last.`;
  return `${formatTimeRange(range.fromMs, range.toMs)} (${formatSeconds(range.toMs - range.fromMs)}) of ${stream}.`;
}

/** "clip.mp4 — 90 frames, 3 s, 1.2 MB". */
export function resultText(e: ExportEndedEvent): string {
  return `${e.fileName ?? 'The file'} — ${formatCount(e.frames)} frames, ${formatSeconds(e.durationMs)}, ${formatBytes(e.bytes)}`;
}

/** The error line: the code for the curious, the message for everyone. */
export function errorText(code: string, message: string): string {
  return `${message} (${code})`;
}

/** 0…100 for a <progress>, or undefined (indeterminate) before the first frame. */
export function progressValue(frames: number, share: number): number | undefined {
  if (frames === 0) return undefined;
  return Math.round(Math.min(1, Math.max(0, share)) * 100);
}
