/**
 * Browser uploads: POST /upload?name=<file name> with the raw file as the body
 * (cookie auth, same origin) → a VideoRef. XMLHttpRequest, not fetch, because
 * only XHR reports upload progress.
 */
import { ErrorPayload, VideoRef } from '../../../electron/shared/contract.js';
import { UPLOAD_PATH } from '../../../electron/shared/ws-protocol.js';
import { KvsCallError, transportError } from './errors.js';
import type { UploadProgress } from './types.js';

const MAX_NAME = 200;

/**
 * The name sent to the service: the base name only (a browser may give a path),
 * no control characters, at most 200 characters with the extension kept.
 */
export function uploadName(raw: string): string {
  const base = raw.split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  let name = base.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  if (name === '' || name === '.' || name === '..') return 'video';
  if (name.length > MAX_NAME) {
    const dot = name.lastIndexOf('.');
    const ext = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : '';
    name = name.slice(0, MAX_NAME - ext.length) + ext;
  }
  return name;
}

export function uploadUrl(name: string, path: string = UPLOAD_PATH): string {
  return `${path}?name=${encodeURIComponent(uploadName(name))}`;
}

/** Turn the service's answer into a VideoRef or a KvsCallError with a clear message. */
export function parseUploadResponse(
  status: number,
  body: string,
  fileName: string,
): VideoRef | KvsCallError {
  let json: unknown = undefined;
  try {
    json = body === '' ? undefined : JSON.parse(body);
  } catch {
    json = undefined;
  }
  if (status >= 200 && status < 300) {
    const ref = VideoRef.safeParse(json);
    if (ref.success) return ref.data;
    return transportError(
      'BAD_REPLY',
      `The service accepted "${fileName}" but its answer was not a video reference.`,
    );
  }
  const err = ErrorPayload.safeParse(json);
  if (err.success) return new KvsCallError(err.data);
  const wrapped =
    json && typeof json === 'object' && 'error' in json
      ? ErrorPayload.safeParse(json.error)
      : undefined;
  if (wrapped?.success) return new KvsCallError(wrapped.data);
  if (status === 0)
    return transportError(
      'UPLOAD_FAILED',
      `Uploading "${fileName}" failed: the service could not be reached.`,
    );
  if (status === 401 || status === 403)
    return transportError(
      'UPLOAD_FAILED',
      `The service refused the upload (HTTP ${status}). Open the page from the address \`kvs serve\` printed (it carries the access token).`,
    );
  if (status === 413)
    return transportError(
      'UPLOAD_FAILED',
      `"${fileName}" is larger than the service accepts (HTTP 413).`,
    );
  const text = body.trim().slice(0, 200);
  return transportError(
    'UPLOAD_FAILED',
    `Uploading "${fileName}" failed: HTTP ${status}${text ? ` — ${text}` : ''}.`,
  );
}

export interface UploadOptions {
  path?: string;
  signal?: AbortSignal;
  createXhr?: () => XMLHttpRequest;
}

export function uploadVideo(
  file: File,
  onProgress: (p: UploadProgress) => void,
  options: UploadOptions = {},
): Promise<VideoRef> {
  return new Promise<VideoRef>((resolve, reject) => {
    const { signal } = options;
    if (signal?.aborted) {
      reject(transportError('UPLOAD_ABORTED', 'The upload was cancelled.'));
      return;
    }
    const xhr = options.createXhr ? options.createXhr() : new XMLHttpRequest();
    const onAbortSignal = () => xhr.abort();
    signal?.addEventListener('abort', onAbortSignal, { once: true });
    const done = () => signal?.removeEventListener('abort', onAbortSignal);
    xhr.open('POST', uploadUrl(file.name, options.path));
    xhr.setRequestHeader('content-type', 'application/octet-stream');
    xhr.upload.onprogress = (ev) =>
      onProgress({ loaded: ev.loaded, total: ev.lengthComputable ? ev.total : file.size });
    xhr.onload = () => {
      done();
      const out = parseUploadResponse(xhr.status, xhr.responseText, file.name);
      if (out instanceof KvsCallError) reject(out);
      else {
        onProgress({ loaded: file.size, total: file.size });
        resolve(out);
      }
    };
    xhr.onerror = () => {
      done();
      reject(parseUploadResponse(0, '', file.name));
    };
    xhr.onabort = () => {
      done();
      reject(transportError('UPLOAD_ABORTED', 'The upload was cancelled.'));
    };
    xhr.send(file);
  });
}
