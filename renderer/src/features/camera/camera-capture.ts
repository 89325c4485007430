/**
 * The camera itself: the list of cameras, opening one (video only, never audio) at the chosen
 * size and rate, and its frames as WebCodecs VideoFrames.
 */
import type { CameraSettings } from './camera-logic.js';

/** The cameras this page may use (labels are empty until camera access was granted once). */
export async function listCameras(): Promise<MediaDeviceInfo[]> {
  if (!navigator.mediaDevices?.enumerateDevices) return [];
  const all = await navigator.mediaDevices.enumerateDevices();
  return all.filter((d) => d.kind === 'videoinput');
}

/** Ask for the camera: video only. Rejects with getUserMedia's DOMException (camera-logic.ts names it). */
export async function openCamera(s: CameraSettings): Promise<MediaStream> {
  if (!navigator.mediaDevices?.getUserMedia)
    throw Object.assign(
      new Error('This page cannot use a camera (not a secure context, or no camera support).'),
      {
        name: 'NotSupportedError',
      },
    );
  return navigator.mediaDevices.getUserMedia({
    audio: false,
    video: {
      ...(s.deviceId !== null ? { deviceId: { exact: s.deviceId } } : {}),
      width: { ideal: s.width },
      height: { ideal: s.height },
      frameRate: { ideal: s.fps, max: s.fps },
    },
  });
}

export function stopCamera(stream: MediaStream | null): void {
  for (const t of stream?.getTracks() ?? []) t.stop();
}

/** Chromium's MediaStreamTrackProcessor (breakout box): a track's frames as a ReadableStream. */
interface TrackProcessor {
  readonly readable: ReadableStream<VideoFrame>;
}
type TrackProcessorCtor = new (init: {
  track: MediaStreamTrack;
  maxBufferSize?: number;
}) => TrackProcessor;

/**
 * Every frame of the camera, until the returned stop is called. Uses MediaStreamTrackProcessor
 * where the page has it (Chromium, Electron); otherwise grabs the preview video's frames as
 * they are shown (requestVideoFrameCallback). The callee owns each frame and must close it.
 */
export function cameraFrames(
  track: MediaStreamTrack,
  preview: HTMLVideoElement,
  onFrame: (frame: VideoFrame) => void,
): () => void {
  let stopped = false;
  const Processor = (globalThis as { MediaStreamTrackProcessor?: TrackProcessorCtor })
    .MediaStreamTrackProcessor;
  if (Processor) {
    // a short buffer: a slow page gets the newest frames, not a backlog
    const reader = new Processor({ track, maxBufferSize: 2 }).readable.getReader();
    void (async () => {
      while (!stopped) {
        const r = await reader.read().catch(() => ({ done: true as const, value: undefined }));
        if (r.done) return;
        if (stopped) r.value.close();
        else onFrame(r.value);
      }
    })();
    return () => {
      stopped = true;
      void reader.cancel().catch(() => undefined);
    };
  }
  let handle = 0;
  const next = (): void => {
    handle = preview.requestVideoFrameCallback((_now, meta) => {
      if (stopped) return;
      try {
        onFrame(new VideoFrame(preview, { timestamp: Math.round(meta.mediaTime * 1e6) }));
      } catch {
        // the video has no frame to give yet
      }
      next();
    });
  };
  next();
  return () => {
    stopped = true;
    preview.cancelVideoFrameCallback(handle);
  };
}
