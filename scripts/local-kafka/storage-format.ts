// KRaft storage formatting: a fresh cluster id, and Kafka's StorageTool run once before the broker.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import path from 'node:path';
import { KvsError } from '../../electron/shared/errors.js';
import { JVM_FLAGS } from './instance-processes.js';
import { keyLine, tailOf } from './log-tail.js';
import { type Env } from './tools.js';

export async function formatStorage(o: {
  java: string;
  env: Env;
  dir: string;
  libs: string;
  logProps: string[];
  serverProps: string;
  deadline: number;
}): Promise<void> {
  const clusterId = randomClusterId();
  const logFile = path.join(o.dir, 'format.log');
  const args = [
    '-Xmx256m',
    ...JVM_FLAGS,
    ...o.logProps,
    '-cp',
    path.join(o.libs, '*'),
    'kafka.tools.StorageTool',
  ];
  args.push('format', '--ignore-formatted', '--cluster-id', clusterId, '--config', o.serverProps);
  const fd = openSync(logFile, 'w');
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(o.java, args, { cwd: o.dir, env: { ...o.env }, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    const timer = setTimeout(() => child.kill('SIGKILL'), Math.max(5_000, o.deadline - Date.now()));
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(
        new KvsError('INTERNAL', `Could not run Kafka's storage format tool: ${error.message}`),
      );
    });
    child.once('exit', (exitCode) => {
      clearTimeout(timer);
      resolve(exitCode);
    });
  });
  if (code !== 0) {
    const tail = await tailOf(logFile);
    throw new KvsError(
      'INTERNAL',
      `Formatting Kafka's storage failed (exit ${String(code)}): ${keyLine(tail)}. Log: ${logFile}`,
      tail,
    );
  }
}

/** A Kafka cluster id: 16 random bytes, URL-safe base64 without padding, never starting with "-". */
export function randomClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}
