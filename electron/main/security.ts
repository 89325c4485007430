/**
 * The desktop shell's security settings, as plain data and pure functions so
 * they are unit-tested without the Electron binary (security-checklist.md).
 * No `electron` import here.
 */
import { pathToFileURL } from 'node:url';
import { contentSecurityPolicy } from '../shared/content-security-policy.js';

export interface SecureWebPreferences {
  readonly preload: string;
  readonly contextIsolation: true;
  readonly sandbox: true;
  readonly nodeIntegration: false;
  readonly nodeIntegrationInWorker: false;
  readonly nodeIntegrationInSubFrames: false;
  readonly webSecurity: true;
  readonly allowRunningInsecureContent: false;
  readonly webviewTag: false;
  readonly spellcheck: false;
}

export function secureWebPreferences(preload: string): SecureWebPreferences {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    spellcheck: false,
  };
}

/**
 * The desktop page's policy, sent as a header. The desktop page connects to nothing (calls go
 * through the preload, frames through a MessagePort), so `connect-src 'none'` — except in
 * development, where Vite's dev server serves the page and keeps a WebSocket for hot reload.
 */
export function desktopContentSecurityPolicy(devServerUrl: string | null): string {
  if (devServerUrl === null) return contentSecurityPolicy("'none'");
  const origin = new URL(devServerUrl);
  const ws = `${origin.protocol === 'https:' ? 'wss' : 'ws'}://${origin.host}`;
  return contentSecurityPolicy(`${origin.origin} ${ws}`);
}

/**
 * Where the header goes: the app's own page only (Electron's webRequest URL patterns,
 * docs/api/web-request.md), not every response of the session.
 */
export function cspUrlFilter(appUrl: string): { urls: string[] } {
  const u = new URL(appUrl);
  return { urls: [u.protocol === 'file:' ? 'file://*/*' : `${u.origin}/*`] };
}

/**
 * Where the window's page comes from. `ELECTRON_RENDERER_URL` (electron-vite's dev server) is
 * honoured only in development: in a packaged app an environment variable must not decide which
 * page the app trusts with its bridge.
 */
export function rendererLocation(opts: {
  readonly isPackaged: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly rendererFile: string;
}):
  | { readonly kind: 'file'; readonly url: string }
  | { readonly kind: 'dev-server'; readonly url: string } {
  const dev = opts.env.ELECTRON_RENDERER_URL;
  if (!opts.isPackaged && dev) {
    try {
      const u = new URL(dev);
      if (u.protocol === 'http:' || u.protocol === 'https:')
        return { kind: 'dev-server', url: u.toString() };
    } catch {
      // not a URL: the built page it is
    }
  }
  return { kind: 'file', url: pathToFileURL(opts.rendererFile).toString() };
}

/**
 * What the page may be granted, and only when it is the app's own page in the app window:
 * - writing text to the clipboard (the copy buttons): Electron names it
 *   `clipboard-sanitized-write` (docs/api/session.md, setPermissionRequestHandler);
 * - a camera, for "Camera" in the produce panel (issue 17): Electron names every media capture
 *   `media` (shell/common/gin_converters/content_converter.cc: AUDIO_CAPTURE, VIDEO_CAPTURE and
 *   CAMERA_PAN_TILT_ZOOM all become "media"), so the details decide. A getUserMedia request comes
 *   with `details.mediaTypes` — "video" for a camera, "audio" for a microphone
 *   (shell/browser/web_contents_permission_helper.cc RequestMediaAccessPermission; docs/api/
 *   structures/media-access-permission-request.md) — and it is granted only when it asks for
 *   exactly ["video"]: no microphone, and not a screen or tab capture (their types are not named
 *   there, so mediaTypes is empty). A check comes with `details.mediaType` "video", "audio" or
 *   "unknown" (electron_permission_manager.cc CheckPermissionWithDetails; docs/api/session.md,
 *   setPermissionCheckHandler): only "video" is granted. `requestingUrl` (set by Electron for
 *   both, from the requesting frame's last committed URL) must be the app page.
 * Everything else — microphone, screen capture, notifications, geolocation, … — is refused.
 */
export const GRANTED_PERMISSION = 'clipboard-sanitized-write';
export const CAMERA_PERMISSION = 'media';

/** What Electron passes as `details` to the request and check handlers, as far as we read it. */
export interface PermissionDetails {
  readonly requestingUrl?: string | undefined;
  /** Request handler, `media`: the capture kinds asked for. */
  readonly mediaTypes?: readonly string[] | undefined;
  /** Check handler, `media`: "video", "audio" or "unknown". */
  readonly mediaType?: string | undefined;
}

/** A camera (video only) and nothing else: the request's mediaTypes, or the check's mediaType. */
export function videoCaptureOnly(details: PermissionDetails): boolean {
  if (Array.isArray(details.mediaTypes))
    return details.mediaTypes.length === 1 && details.mediaTypes[0] === 'video';
  return details.mediaType === 'video';
}

export function permissionGranted(
  permission: string,
  from: { readonly appWindow: boolean; readonly requestingUrl: string },
  appUrl: string,
  details: PermissionDetails = {},
): boolean {
  if (!from.appWindow || !isAppUrl(from.requestingUrl, appUrl)) return false;
  if (permission === GRANTED_PERMISSION) return true;
  return permission === CAMERA_PERMISSION && videoCaptureOnly(details);
}

/**
 * Is `url` the app's own page? `appUrl` is the renderer's index URL (file://…/index.html
 * in a packaged app, the dev server's origin in development).
 */
export function isAppUrl(url: string, appUrl: string): boolean {
  let u: URL;
  let app: URL;
  try {
    u = new URL(url);
    app = new URL(appUrl);
  } catch {
    return false;
  }
  if (app.protocol === 'file:')
    return (
      u.protocol === 'file:' && decodeURIComponent(u.pathname) === decodeURIComponent(app.pathname)
    );
  return u.origin === app.origin;
}

/** Links the app may open in the user's browser: https only, Kafka's and our docs. */
const EXTERNAL_ALLOW = ['kafka.apache.org', 'github.com'];

export function isAllowedExternal(url: string): boolean {
  try {
    const u = new URL(url);
    return (
      u.protocol === 'https:' &&
      EXTERNAL_ALLOW.includes(u.hostname) &&
      u.username === '' &&
      u.password === ''
    );
  } catch {
    return false;
  }
}

/** Video files the native dialog offers. */
export const VIDEO_EXTENSIONS = [
  'mp4',
  'm4v',
  'mov',
  'mkv',
  'webm',
  'avi',
  'mpg',
  'mpeg',
  'ts',
  'flv',
  'wmv',
  '3gp',
];
