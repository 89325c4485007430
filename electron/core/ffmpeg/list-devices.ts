/**
 * The cameras this computer has, as ffmpeg sees them: ffmpeg's own listing per platform
 * (`-sources v4l2` on Linux, `-f avfoundation -list_devices true` on macOS, `-f dshow
 * -list_devices true` on Windows), and on Linux also the /dev/video* nodes with their names from
 * /sys/class/video4linux (a camera ffmpeg's listing misses is still shown). The parsers are pure
 * and unit-tested on each platform's output; only Linux's listing runs here.
 */
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { deviceFormat, type Platform } from './live-input.js';

export interface CameraDevice {
  /** What `--device` (and the page's device picker) takes. */
  readonly id: string;
  /** A person's name for it (may equal the id). */
  readonly name: string;
  /** The ffmpeg input format it is read with. */
  readonly format: string;
}

export interface DeviceList {
  readonly devices: CameraDevice[];
  /** The platform's camera input format; null where the app knows none. */
  readonly format: string | null;
  /** What could not be listed (ffmpeg missing, no camera support), in plain words. */
  readonly notes: string[];
}

/** `ffmpeg -sources v4l2`: `  /dev/video0 [Integrated Camera: Integrated C]` per device. */
export function parseV4l2Sources(text: string): CameraDevice[] {
  const out: CameraDevice[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*\*?\s*(\/dev\/\S+)\s*(?:\[(.*)\])?\s*$/.exec(line);
    if (m?.[1]) out.push({ id: m[1], name: m[2]?.trim() || m[1], format: 'v4l2' });
  }
  return out;
}

/** macOS: the `[N] name` lines between "AVFoundation video devices:" and the audio header. */
export function parseAvfoundationList(stderr: string): CameraDevice[] {
  const out: CameraDevice[] = [];
  let inVideo = false;
  for (const raw of stderr.split(/\r?\n/)) {
    const line = raw.replace(/^\[[^\]]*@ [^\]]*\]\s*/, '');
    if (/AVFoundation video devices/i.test(line)) inVideo = true;
    else if (/AVFoundation audio devices/i.test(line)) inVideo = false;
    else if (inVideo) {
      const m = /^\[(\d+)\]\s+(.+)$/.exec(line.trim());
      if (m?.[1] && m[2])
        out.push({
          id: m[2].trim(),
          name: `${m[2].trim()} (index ${m[1]})`,
          format: 'avfoundation',
        });
    }
  }
  return out;
}

/** Windows: `"name" (video)` lines (ffmpeg ≥ 5), or the quoted names under "DirectShow video devices". */
export function parseDshowList(stderr: string): CameraDevice[] {
  const out: CameraDevice[] = [];
  let section: 'video' | 'audio' | null = null;
  for (const raw of stderr.split(/\r?\n/)) {
    const line = raw.replace(/^\[[^\]]*@ [^\]]*\]\s*/, '').trim();
    if (/DirectShow video devices/i.test(line)) section = 'video';
    else if (/DirectShow audio devices/i.test(line)) section = 'audio';
    else if (/^Alternative name/i.test(line)) continue;
    else {
      const tagged = /^"(.+)"\s+\((video|audio|none)(?:,\s*(video|audio))?\)$/.exec(line);
      if (tagged?.[1]) {
        if (tagged[2] === 'video' || tagged[3] === 'video')
          out.push({ id: tagged[1], name: tagged[1], format: 'dshow' });
        continue;
      }
      const plain = /^"(.+)"$/.exec(line);
      if (plain?.[1] && section === 'video')
        out.push({ id: plain[1], name: plain[1], format: 'dshow' });
    }
  }
  return out;
}

function runFfmpeg(
  ffmpegPath: string,
  args: string[],
): Promise<{ stdout: string; stderr: string; error: string | null }> {
  return new Promise((resolve) => {
    execFile(
      ffmpegPath,
      args,
      { timeout: 10_000, killSignal: 'SIGKILL', windowsHide: true },
      (err, stdout, stderr) => {
        // the -list_devices calls always "fail" (no input was opened): their stderr is the answer
        const missing = err && 'code' in err && (err.code === 'ENOENT' || err.code === 'EACCES');
        resolve({
          stdout: String(stdout),
          stderr: String(stderr),
          error: missing ? err.message : null,
        });
      },
    );
  });
}

export interface ListDevicesDeps {
  readonly ffmpegPath: string;
  readonly platform?: Platform;
  /** The /dev/video* nodes with their names (Linux); default reads /dev and /sys. */
  readonly videoNodes?: () => Promise<CameraDevice[]>;
}

async function linuxVideoNodes(): Promise<CameraDevice[]> {
  const names = await readdir('/dev').catch(() => [] as string[]);
  const nodes = names
    .filter((n) => /^video\d+$/.test(n))
    .sort((a, b) => Number(a.slice(5)) - Number(b.slice(5)));
  return Promise.all(
    nodes.map(async (n) => {
      const label = await readFile(`/sys/class/video4linux/${n}/name`, 'utf8').then(
        (t) => t.trim(),
        () => '',
      );
      return { id: `/dev/${n}`, name: label || `/dev/${n}`, format: 'v4l2' };
    }),
  );
}

export async function listDevices(deps: ListDevicesDeps): Promise<DeviceList> {
  const platform = deps.platform ?? process.platform;
  const format = deviceFormat(platform);
  const notes: string[] = [];
  if (format === null)
    return {
      devices: [],
      format,
      notes: [`The app does not know how to list cameras on ${platform}.`],
    };
  const args =
    platform === 'linux'
      ? ['-hide_banner', '-sources', 'v4l2']
      : [
          '-hide_banner',
          '-f',
          format,
          '-list_devices',
          'true',
          '-i',
          platform === 'win32' ? 'dummy' : '',
        ];
  const r = await runFfmpeg(deps.ffmpegPath, args);
  if (r.error !== null) notes.push(`ffmpeg could not be started to list cameras: ${r.error}`);
  const listed =
    platform === 'linux'
      ? parseV4l2Sources(r.stdout)
      : platform === 'darwin'
        ? parseAvfoundationList(r.stderr)
        : parseDshowList(r.stderr);
  const devices = [...listed];
  if (platform === 'linux') {
    for (const node of await (deps.videoNodes ?? linuxVideoNodes)())
      if (!devices.some((d) => d.id === node.id)) devices.push(node);
  }
  if (devices.length === 0) notes.push('No camera was found.');
  return { devices, format, notes };
}
