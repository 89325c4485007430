/**
 * Which option tells this ffmpeg to keep every frame at its own time when encoding (no frames
 * duplicated or dropped to make a constant rate, which an MP4 output otherwise gets):
 * `-fps_mode passthrough` since ffmpeg 5.1, `-vsync passthrough` before it (deprecated since 5.1).
 * Read from `ffmpeg -version` once per path; a version it cannot read (a git build, `N-…`) is
 * taken as new.
 */
import { execFile } from 'node:child_process';

export type PassthroughOption = '-fps_mode' | '-vsync';

/** From `ffmpeg -version`'s first line: "ffmpeg version 5.1.9-0+deb12u1 …", "… n4.4.2 …". */
export function passthroughOptionFor(versionText: string): PassthroughOption {
  const m = /^ffmpeg version n?(\d+)\.(\d+)/m.exec(versionText);
  if (!m) return '-fps_mode';
  const major = Number(m[1]);
  const minor = Number(m[2]);
  return major > 5 || (major === 5 && minor >= 1) ? '-fps_mode' : '-vsync';
}

const cache = new Map<string, Promise<PassthroughOption>>();

export function passthroughOption(ffmpegPath: string): Promise<PassthroughOption> {
  let answer = cache.get(ffmpegPath);
  if (!answer) {
    answer = new Promise((resolve) =>
      execFile(
        ffmpegPath,
        ['-hide_banner', '-version'],
        { timeout: 10_000, windowsHide: true },
        // a failure to start is reported by the writer itself
        (err, stdout) => resolve(err ? '-fps_mode' : passthroughOptionFor(String(stdout))),
      ),
    );
    cache.set(ffmpegPath, answer);
  }
  return answer;
}
