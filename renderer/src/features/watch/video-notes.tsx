/**
 * What the viewer says over the picture about its H.264 streams, so the canvas is never black
 * without a word: a stream waiting for a keyframe (and why), a codec this page cannot decode —
 * and then whether the service decodes it to JPEG instead (watch:fallback).
 */
import type { H264Snapshot, ServiceDecode } from './h264-streams.js';
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
        <p
          key={`u:${u.streamId ?? ''}`}
          data-testid="watch-codec-note"
          data-codec={u.codec}
          data-service={u.service?.state ?? 'none'}
        >
          <CodecNote streamId={u.streamId} codec={u.codec} service={u.service} />
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

function CodecNote({
  streamId,
  codec,
  service,
}: {
  readonly streamId: string | null;
  readonly codec: string;
  readonly service: ServiceDecode | null;
}) {
  const name = streamName(streamId);
  switch (service?.state) {
    case undefined:
      return (
        <>
          This browser cannot decode this video{name}: H.264 {codec} is not supported here.
        </>
      );
    case 'asking':
      return (
        <>
          This browser cannot decode this video{name} (H.264 {codec}); asking the service to decode
          it instead…
        </>
      );
    case 'on':
      return (
        <>
          Decoded on the service{name} (this page cannot decode {codec}); the picture starts at the
          stream’s next keyframe.
        </>
      );
    case 'drawing':
      return (
        <>
          Decoded on the service{name} (this page cannot decode {codec}).
        </>
      );
    case 'failed':
      return (
        <>
          This browser cannot decode this video{name} (H.264 {codec}), and the service could not
          decode it either: {service.message}
        </>
      );
  }
}
