/**
 * POST /upload?name=<file name>: the page's file, streamed to the uploads folder with a size cap
 * (413 before reading when Content-Length says so, or as soon as the cap is passed); the name is
 * sanitized by the app services. Answers a VideoRef as JSON, or the error as JSON.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ErrorPayload } from '../shared/contract.js';
import { toKvsError } from '../shared/errors.js';
import type { AppServices } from '../services/app-services.js';
import { UploadTooLargeError } from '../services/video-registry.js';
import { sendJson, sendText } from './replies.js';

export async function handleUpload(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  deps: {
    readonly service: AppServices;
    readonly originMatchesHost: (req: IncomingMessage) => boolean;
  },
): Promise<void> {
  const { service, originMatchesHost } = deps;
  const close = { Connection: 'close' };
  if (req.method !== 'POST') return sendText(res, 405, 'Use POST to upload.', { Allow: 'POST' });
  // the cookie is SameSite=Strict already; a foreign Origin is refused as well
  if (req.headers.origin !== undefined && !originMatchesHost(req))
    return sendText(res, 403, 'Forbidden: wrong origin.', close);
  const name = url.searchParams.get('name');
  const bad = (message: string): ErrorPayload => ({ code: 'INVALID_ARGUMENT', message });
  if (name === null || name.trim() === '')
    return sendJson(
      res,
      400,
      bad('The upload needs a file name: POST /upload?name=video.mp4.'),
      close,
    );
  const length = Number(req.headers['content-length']);
  if (Number.isFinite(length) && length > service.maxUploadBytes) {
    const e = new UploadTooLargeError(service.maxUploadBytes);
    return sendJson(res, 413, e.toJSON(), close);
  }
  try {
    // destroyOnReturn false: when the cap stops the upload early, the request stays usable for
    // the 413 answer (Connection: close ends it after that)
    const ref = await service.registerUpload(name, req.iterator({ destroyOnReturn: false }));
    sendJson(res, 200, ref);
  } catch (e) {
    if (res.headersSent || res.destroyed) return;
    if (e instanceof UploadTooLargeError) return sendJson(res, 413, e.toJSON(), close);
    const err = toKvsError(e);
    sendJson(res, err.code === 'INTERNAL' ? 500 : 400, err.toJSON(), close);
  }
}
