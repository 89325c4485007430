/**
 * The stream picker's words and choices (pure; stream-picker.tsx shows them): one option per
 * stream a topic carries (`topics:streams`), "All streams" first; plain images without a stream
 * id are listed but cannot be chosen alone (a viewer filters by id; "All streams" plays them).
 */
import type { StreamSummary, TopicStreams } from '../../../../electron/shared/contract.js';
import { formatFps } from '../../shared/format.js';

/** The select's value for "every stream" (no filter). */
export const ALL_STREAMS = '';

export interface StreamOption {
  readonly value: string;
  readonly label: string;
  readonly disabled: boolean;
}

/** "H.264 640×360 30 fps" / "JPEG 320×180". */
export function streamFormat(s: Pick<StreamSummary, 'type' | 'width' | 'height' | 'fps'>): string {
  const kind = s.type === 'video/h264' ? 'H.264' : s.type === 'image/png' ? 'PNG' : 'JPEG';
  const size = s.width !== null && s.height !== null ? ` ${s.width}×${s.height}` : '';
  const fps = s.fps !== null ? ` ${formatFps(s.fps)} fps` : '';
  return `${kind}${size}${fps}`;
}

/** "Front door (cam-1) — H.264 640×360 30 fps, partition 2, ended". */
export function streamLabel(s: StreamSummary): string {
  const who =
    s.id === null ? 'Plain images (no stream id)' : s.name !== null ? `${s.name} (${s.id})` : s.id;
  return `${who} — ${streamFormat(s)}, partition ${s.partition}${s.ended ? ', ended' : ''}`;
}

/**
 * The options: All streams, then each stream (newest first, as listed). A chosen stream that is
 * not among those listed (quiet lately, or the list not read yet) stays as an option, so the
 * choice shown is always the one that plays.
 */
export function streamOptions(list: TopicStreams | null, chosen: string | null): StreamOption[] {
  const streams = list?.streams ?? [];
  const options: StreamOption[] = [{ value: ALL_STREAMS, label: 'All streams', disabled: false }];
  for (const s of streams)
    options.push({ value: s.id ?? '\u0000plain', label: streamLabel(s), disabled: s.id === null });
  if (chosen !== null && !streams.some((s) => s.id === chosen))
    options.push({
      value: chosen,
      label: `${chosen} (not among the newest messages)`,
      disabled: false,
    });
  return options;
}

/** "4 streams in 4 partitions" with what else the read saw; what to say before and after. */
export function listSummary(list: TopicStreams | null): string {
  if (list === null) return '';
  const n = list.streams.length;
  const parts = `${list.partitions} partition${list.partitions === 1 ? '' : 's'}`;
  const head =
    n === 0
      ? `No video streams among the newest ${list.scanned} messages (${parts}).`
      : `${n} stream${n === 1 ? '' : 's'} in ${parts}.`;
  const skipped =
    list.skipped > 0
      ? ` ${list.skipped} message${list.skipped === 1 ? ' was' : 's were'} not frames.`
      : '';
  const short = list.complete
    ? ''
    : ' Not every partition was read in time: the list may be short.';
  return head + skipped + short;
}

/** The select's value → the viewer's filter (null: every stream). */
export function choiceOf(value: string): string | null {
  return value === ALL_STREAMS ? null : value;
}

/** What is on screen: "Front door (cam-1)", "cam-1", or null for plain images. */
export function shownStream(
  frame: { streamId: string | null; streamName: string | null } | null,
): string | null {
  if (frame === null || frame.streamId === null) return null;
  return frame.streamName !== null ? `${frame.streamName} (${frame.streamId})` : frame.streamId;
}
