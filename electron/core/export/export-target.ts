/**
 * The file an export writes, never half-written: ffmpeg writes `<out>.part` in the same folder
 * (so the final rename stays on one file system and is atomic), and only a finished file is
 * renamed to `<out>`. An existing `<out>` is refused unless `force`. The folder is checked by
 * creating the part file — before any Kafka step — since permission bits alone do not say it
 * (root ignores them; a read-only mount does not show in them).
 */
import { open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { KvsError } from '../../shared/errors.js';

export interface ExportTarget {
  /** The finished file. */
  readonly file: string;
  /** Where ffmpeg writes until it is done. */
  readonly part: string;
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

function existsError(file: string): KvsError {
  return new KvsError(
    'FILE_EXISTS',
    `${file} already exists. Choose another name, or replace it with --force.`,
  );
}

/** Check the output path and create its (empty) part file. */
export async function prepareTarget(out: string, force: boolean): Promise<ExportTarget> {
  if (out.trim() === '')
    throw new KvsError('INVALID_ARGUMENT', 'Name the MP4 file to write, e.g. clip.mp4.');
  const file = path.resolve(out);
  const folder = path.dirname(file);
  const info = await stat(file).catch(() => null);
  if (info?.isDirectory())
    throw new KvsError('INVALID_ARGUMENT', `${file} is a folder: name the MP4 file to write.`);
  if (info && !force) throw existsError(file);
  const dir = await stat(folder).catch(() => null);
  if (!dir?.isDirectory())
    throw new KvsError(
      'FOLDER_NOT_WRITABLE',
      `Cannot write ${file}: the folder ${folder} does not exist.`,
    );
  const part = `${file}.part`;
  try {
    await (await open(part, 'w')).close();
  } catch (e) {
    const reason = e instanceof Error && 'code' in e ? String(e.code) : String(e);
    throw new KvsError(
      'FOLDER_NOT_WRITABLE',
      `Cannot write in ${folder} (${reason}). Choose a folder you can write to.`,
    );
  }
  return { file, part };
}

/** The part file is complete: put it in place. */
export async function commitTarget(target: ExportTarget, force: boolean): Promise<void> {
  // the file may have appeared while the export ran
  if (!force && (await exists(target.file))) {
    await discardTarget(target);
    throw existsError(target.file);
  }
  await rename(target.part, target.file);
}

/** Remove the part file (a failed or cancelled export leaves nothing). */
export async function discardTarget(target: ExportTarget): Promise<void> {
  await rm(target.part, { force: true });
}
