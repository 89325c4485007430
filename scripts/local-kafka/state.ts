import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { KvsError } from '../../electron/shared/errors.js';
import { KAFKA_MODES } from './versions.js';

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export function assertValidName(name: string): void {
  if (!NAME.test(name)) {
    throw new KvsError(
      'INVALID_ARGUMENT',
      `Instance name "${name}" must be 1–64 letters, digits, ".", "_" or "-".`,
    );
  }
}

/** Folder for one named instance: data, configs, logs and state.json. Kept by stop and restart. */
export function stateDir(name: string): string {
  assertValidName(name);
  return path.join(os.tmpdir(), `kvs-kafka-${name}`);
}

export const STATE_FILE = 'state.json';

const stateSchema = z.object({
  schema: z.literal(1),
  name: z.string(),
  mode: z.enum(KAFKA_MODES as ['kraft', 'zookeeper']),
  kafkaVersion: z.string(),
  zookeeperVersion: z.string().optional(),
  port: z.number().int(),
  controllerPort: z.number().int().optional(),
  zookeeperPort: z.number().int().optional(),
  bootstrap: z.string(),
  pids: z.object({ broker: z.number().int().optional(), zookeeper: z.number().int().optional() }),
  /** The process that started the JVMs (test setups use it to find instances left by a crashed run). */
  ownerPid: z.number().int().optional(),
  startedAt: z.string().optional(),
  stoppedAt: z.string().optional(),
});

export type BrokerState = z.infer<typeof stateSchema>;

export async function readState(dir: string): Promise<BrokerState | undefined> {
  let text: string;
  try {
    text = await readFile(path.join(dir, STATE_FILE), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed = stateSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Written atomically (temp file + rename) so a reader never sees half a file. */
export async function writeState(dir: string, state: BrokerState): Promise<void> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, STATE_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(state, null, 2)}\n`);
  await rename(tmp, file);
}
