/**
 * `kvs consume --out <dir>`: images as frame-000001.jpg (or .png), …, in the order they came;
 * H.264 access units appended to one Annex B file per stream, `<streamId>.h264`, starting at the
 * stream's first keyframe (what comes before it cannot be decoded).
 */
import { open, writeFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { ViewerFrame } from '../core/kafka/viewer.js';

/** A stream id as a file name: letters, digits, dot, dash and underscore; anything else → _. */
export function streamFileName(streamId: string | null): string {
  const safe = (streamId ?? 'stream').replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_');
  return `${safe.slice(0, 200) || 'stream'}.h264`;
}

export class FrameWriter {
  private images = 0;
  private readonly streams = new Map<string, FileHandle>();
  /** Access units before a stream's first keyframe, not written. */
  skippedBeforeKeyframe = 0;

  constructor(private readonly dir: string) {}

  async write(f: ViewerFrame): Promise<void> {
    if (f.type !== 'video/h264') {
      this.images++;
      const ext = f.type === 'image/png' ? 'png' : 'jpg';
      const name = `frame-${String(this.images).padStart(6, '0')}.${ext}`;
      await writeFile(path.join(this.dir, name), f.image);
      return;
    }
    const name = streamFileName(f.streamId);
    let file = this.streams.get(name);
    if (!file) {
      if (!f.keyframe) {
        this.skippedBeforeKeyframe++;
        return;
      }
      file = await open(path.join(this.dir, name), 'w');
      this.streams.set(name, file);
    }
    await file.write(f.image);
  }

  /** Close the stream files; the names of the H.264 files written. */
  async close(): Promise<string[]> {
    const names = [...this.streams.keys()];
    await Promise.all([...this.streams.values()].map((f) => f.close()));
    this.streams.clear();
    return names;
  }
}
