/** Test support: decode JPEGs with the real ffmpeg and count the images it could decode. */
import { spawn } from 'node:child_process';

export function countDecodableJpegs(ffmpegPath: string, images: readonly Buffer[]): Promise<number> {
  return new Promise((resolve, reject) => {
    // -xerror: stop on the first decode error, so a broken image shows up as a short count
    const child = spawn(ffmpegPath, ['-hide_banner', '-loglevel', 'error', '-xerror', '-f', 'mjpeg', '-i', 'pipe:0', '-f', 'framemd5', 'pipe:1'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.stdin.on('error', () => undefined);
    child.on('error', reject);
    child.on('close', (code) => {
      const frames = out.split('\n').filter((l) => /^\s*0,/.test(l)).length;
      if (code !== 0 && frames === 0) reject(new Error(`ffmpeg could not decode: ${err}`));
      else resolve(frames);
    });
    for (const img of images) child.stdin.write(img);
    child.stdin.end();
  });
}
