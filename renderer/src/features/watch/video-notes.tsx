/**
 * What the viewer says over the picture about its H.264 streams, so the canvas is never black
 * without a word: a stream waiting for a keyframe (and why), a codec this page cannot decode.
 */
import type { H264Snapshot } from './h264-streams.js';
import type { KeyframeWait } from './h264-stream.js';

const WHY: Record<KeyframeWait, string> = {
  start: 'The stream started between keyframes; the picture starts at the next one.',
  gap: 'Frames were lost on the way; the picture resumes at the next keyframe.',
  behind: 'This page fell behind; it skips ahead to the next keyframe.',
  error: 'The decoder failed on a damaged frame; it restarts at the next keyframe.',
  'no-codec': 'The keyframe did not say its codec; waiting for one that does.',
};

function streamName(streamId: string | null): string {
  return streamId === null || streamId === '' ? '' : ` (stream “${streamId}”)`;
}

/** True when the notes have something to say. */
export function hasVideoNotes(h264: H264Snapshot | null): boolean {
  return h264 !== null && (h264.waiting.length > 0 || h264.unsupported.length > 0);
}

export function VideoNotes({ h264 }: { readonly h264: H264Snapshot | null }) {
  if (h264 === null || !hasVideoNotes(h264)) return null;
  return (
    <div className="stage-notes" aria-live="polite" data-testid="watch-video-notes">
      {h264.unsupported.map((u) => (
        <p key={`u:${u.streamId ?? ''}`} data-testid="watch-codec-note" data-codec={u.codec}>
          This browser cannot decode this video{streamName(u.streamId)}: H.264 {u.codec} is not
          supported here.
        </p>
      ))}
      {h264.waiting.map((w) => (
        <p key={`w:${w.streamId ?? ''}`} data-testid="watch-keyframe-note" data-reason={w.reason}>
          <strong>Waiting for a keyframe…</strong>
          {streamName(w.streamId)} {WHY[w.reason]}
        </p>
      ))}
    </div>
  );
}
