/**
 * The produce panel's live sources (issue 17): which source the form names (a file, a network
 * URL, a device on the host), the request for a live one, and what to say about its state. Pure.
 */
import { ProduceRequest, type ProduceProgressEvent } from '../../../../electron/shared/contract.js';
import { redactUrl } from '../../../../electron/shared/redact-url.js';
import {
  deviceNameProblem,
  inputFormatProblem,
  sourceUrlProblem,
} from '../../../../electron/shared/source-input.js';
import { buildProduceRequest, type BuildResult, type ProduceForm } from './produce-logic.js';

/** `camera`: a camera in this page, encoded here (features/camera, camera:start): not a request of this form. */
export type SourceKind = 'file' | 'url' | 'device' | 'camera';

export interface SourceForm {
  readonly kind: SourceKind;
  readonly url: string;
  /** The picked or typed device id. */
  readonly device: string;
  /** ffmpeg's input format for the device (empty: the host's default). */
  readonly inputFormat: string;
}

export const DEFAULT_SOURCE: SourceForm = { kind: 'file', url: '', device: '', inputFormat: '' };

/** The request for a live source: the file request's settings, the source instead of a video. */
export function buildLiveRequest(source: SourceForm, form: ProduceForm): BuildResult {
  if (source.kind === 'url') {
    const problem = sourceUrlProblem(source.url);
    if (problem) return { ok: false, field: 'source', error: problem };
  } else if (source.kind === 'device') {
    const problem =
      deviceNameProblem(source.device) ??
      (source.inputFormat.trim() === '' ? null : inputFormatProblem(source.inputFormat.trim()));
    if (problem) return { ok: false, field: 'source', error: problem };
  } else return { ok: false, field: 'source', error: 'Choose a network URL or a device.' };
  // the file request's checks of every setting, with a placeholder video replaced below
  const built = buildProduceRequest('live', { ...form, loop: false });
  if (!built.ok) return built.field === 'video' ? { ...built, field: 'source' } : built;
  const { videoId: _video, ...settings } = built.request;
  const candidate = {
    ...settings,
    source:
      source.kind === 'url'
        ? { kind: 'url' as const, url: source.url.trim() }
        : {
            kind: 'device' as const,
            device: source.device.trim(),
            ...(source.inputFormat.trim() === '' ? {} : { inputFormat: source.inputFormat.trim() }),
          },
  };
  const parsed = ProduceRequest.safeParse(candidate);
  if (!parsed.success)
    return {
      ok: false,
      field: 'source',
      error: parsed.error.issues[0]?.message ?? 'Invalid source.',
    };
  return { ok: true, request: parsed.data };
}

/** How the source is named on the page (a URL's password never shown). */
export function sourceLabel(source: SourceForm): string {
  return source.kind === 'url' ? redactUrl(source.url.trim()) : source.device.trim();
}

export interface LiveNotice {
  readonly tone: 'ok' | 'warning';
  readonly text: string;
}

/** What the panel says about a live source while it runs; null for a file. */
export function liveNotice(
  p: Pick<ProduceProgressEvent, 'live'>,
  now: number = Date.now(),
): LiveNotice | null {
  const live = p.live;
  if (!live) return null;
  const last =
    live.lastFrameAt === null
      ? 'no frame yet'
      : `last frame ${Math.max(0, Math.round((now - live.lastFrameAt) / 1000))} s ago`;
  const why = live.error ? `: ${redactUrl(live.error.message)}` : '';
  const again = live.reconnects > 0 ? ` (reconnected ${live.reconnects}×)` : '';
  if (live.state === 'reading') return { tone: 'ok', text: `Live source: reading${again}.` };
  if (live.state === 'stalled')
    return { tone: 'warning', text: `Live source stalled — ${last}${why}` };
  return {
    tone: 'warning',
    text: `Live source reconnecting${live.reconnects > 0 ? ` (attempt ${live.reconnects})` : ''} — ${last}${why}`,
  };
}
