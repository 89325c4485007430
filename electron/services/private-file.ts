/**
 * The per-user files that may hold encrypted secrets (saved servers, connection profiles): a
 * versioned JSON list only this user may read.
 *
 * - `writePrivateFile`: mode 0600 in a 0700 folder, all or nothing (a temporary file in the same
 *   folder, synced, then renamed over the old one).
 * - `PrivateJsonList`: `{ "version": 1, "<key>": [...] }`, each entry parsed with zod on every read
 *   (a missing, damaged or foreign-shaped file reads as empty; bad entries are skipped — it is a
 *   convenience, never a reason to fail), changed one change at a time.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

export async function writePrivateFile(file: string, body: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const fh = await open(tmp, 'wx', 0o600);
    try {
      await fh.writeFile(body, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw e;
  }
}

export class PrivateJsonList<T> {
  private queue: Promise<void> = Promise.resolve();
  private readonly shape = z.object({ version: z.literal(1) }).catchall(z.unknown());

  /** `tidy`: applied after every read and change (dedupe, order, cap). */
  constructor(
    readonly file: string,
    private readonly key: string,
    private readonly entry: z.ZodType<T>,
    private readonly tidy: (list: T[]) => T[],
  ) {}

  /** The list, after any change under way. */
  async read(): Promise<T[]> {
    await this.queue;
    return this.readNow();
  }

  /** Read, change and write the list, one change at a time; resolves to the list written. */
  async mutate(change: (list: T[]) => T[]): Promise<T[]> {
    const run = this.queue.then(async () => {
      const after = this.tidy(change(await this.readNow()));
      await writePrivateFile(
        this.file,
        `${JSON.stringify({ version: 1, [this.key]: after }, null, 2)}\n`,
      );
      return after;
    });
    this.queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private async readNow(): Promise<T[]> {
    let raw: unknown;
    try {
      raw = JSON.parse(await readFile(this.file, 'utf8'));
    } catch {
      return [];
    }
    const shape = this.shape.safeParse(raw);
    if (!shape.success) return [];
    const items = shape.data[this.key];
    const out: T[] = [];
    for (const item of Array.isArray(items) ? items : []) {
      const e = this.entry.safeParse(item);
      if (e.success) out.push(e.data);
    }
    return this.tidy(out);
  }
}
