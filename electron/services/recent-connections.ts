/**
 * The last bootstraps that connected successfully, most recent first, no duplicates, at most
 * {@link MAX_RECENT}. Stored as a JSON array of strings in `<userDataDir>/recent-connections.json`.
 * A missing or damaged file reads as an empty list (it is a convenience, never a reason to fail);
 * writes go through a temporary file and a rename, one at a time.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

export const MAX_RECENT = 8;
export const RECENT_FILE = 'recent-connections.json';

const RecentFile = z.array(z.string().min(1).max(4096));

/** `entry` first, then the others without it, at most MAX_RECENT. */
export function addRecent(list: readonly string[], entry: string): string[] {
  return [entry, ...list.filter((x) => x !== entry)].slice(0, MAX_RECENT);
}

export class RecentConnections {
  private list: string[] | null = null;
  private writes: Promise<void> = Promise.resolve();

  constructor(private readonly dir: string) {}

  get file(): string {
    return path.join(this.dir, RECENT_FILE);
  }

  async get(): Promise<string[]> {
    if (this.list === null) this.list = await this.read();
    return [...this.list];
  }

  async add(bootstrap: string): Promise<string[]> {
    const next = addRecent(await this.get(), bootstrap);
    this.list = next;
    const write = this.writes.then(() => this.write(next));
    this.writes = write.catch(() => undefined);
    await write;
    return [...next];
  }

  private async read(): Promise<string[]> {
    try {
      const parsed = RecentFile.safeParse(JSON.parse(await readFile(this.file, 'utf8')));
      return parsed.success ? [...new Set(parsed.data)].slice(0, MAX_RECENT) : [];
    } catch {
      return [];
    }
  }

  private async write(list: string[]): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    await writeFile(tmp, `${JSON.stringify(list, null, 2)}\n`, { mode: 0o600 });
    await rename(tmp, this.file);
  }
}
