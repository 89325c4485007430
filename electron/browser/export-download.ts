/**
 * GET /exports/<exportId>: the MP4 a browser export wrote, as an attachment, once. Reached only
 * after browser-server.ts's Host and token checks (access.ts: the HttpOnly SameSite=Strict cookie,
 * so another site cannot make the browser ask); a request that names an Origin must name this
 * server. The file is removed when the download completes (export-jobs.ts also removes it on
 * expiry); afterwards the address answers 404 with what to do.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppServices } from '../services/app-services.js';
import { BASE_HEADERS, sendText } from './replies.js';

const ID = /^[A-Za-z0-9_-]{1,64}$/;

/** A file name safe in a quoted Content-Disposition (topic names are [A-Za-z0-9._-] already). */
function attachmentName(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9._-]/g, '_');
  return safe === '' ? 'export.mp4' : safe;
}

export async function serveExportDownload(
  req: IncomingMessage,
  res: ServerResponse,
  exportId: string,
  deps: {
    readonly service: Pick<AppServices, 'exportDownload' | 'exportDownloaded'>;
    readonly originMatchesHost: (req: IncomingMessage) => boolean;
  },
): Promise<void> {
  const method = req.method ?? 'GET';
  if (method !== 'GET' && method !== 'HEAD')
    return sendText(res, 405, 'Method not allowed.', { Allow: 'GET, HEAD' });
  if (req.headers.origin !== undefined && !deps.originMatchesHost(req))
    return sendText(res, 403, 'Forbidden: this download belongs to the page that made it.');
  const found = ID.test(exportId) ? deps.service.exportDownload(exportId) : null;
  const size = found
    ? await stat(found.file).then(
        (s) => s.size,
        () => null,
      )
    : null;
  if (found === null || size === null)
    return sendText(
      res,
      404,
      'This export is not here any more (it was downloaded already, or it expired): export it again.',
    );
  res.writeHead(200, {
    ...BASE_HEADERS,
    'Content-Type': 'video/mp4',
    'Content-Length': String(size),
    'Content-Disposition': `attachment; filename="${attachmentName(found.name)}"`,
    'Cache-Control': 'no-store',
  });
  if (method === 'HEAD') {
    res.end();
    return;
  }
  const file = createReadStream(found.file);
  file.on('error', () => res.destroy());
  res.on('finish', () => void deps.service.exportDownloaded(exportId));
  file.pipe(res);
}
