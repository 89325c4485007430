import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { KvsError } from '../../electron/shared/errors.js';
import { findMaven, type Env } from './tools.js';
import { DISTRIBUTIONS, type Distribution, type KafkaMode } from './versions.js';

/** Where downloaded Kafka jars live: ${KVS_CACHE_DIR:-~/.cache/kafka-video-studio}. */
export function cacheRoot(env: Env): string {
  const fromEnv = env.KVS_CACHE_DIR;
  return fromEnv !== undefined && fromEnv !== ''
    ? path.resolve(fromEnv)
    : path.join(os.homedir(), '.cache', 'kafka-video-studio');
}

export function libsDir(mode: KafkaMode, env: Env): string {
  return path.join(cacheRoot(env), `kafka-${DISTRIBUTIONS[mode].kafkaVersion}`, 'libs');
}

const MARKER = '.kvs-complete.json';

interface Marker {
  kafkaVersion: string;
  pomSha256: string;
}

async function pomFingerprint(dist: Distribution): Promise<string> {
  const pom = await readFile(dist.pomFile, 'utf8');
  // The pom and versions.ts must agree, or the cache folder would be named after the wrong version.
  const expect = [
    ['kafka.version', dist.kafkaVersion],
    ['zookeeper.version', dist.zookeeperVersion],
  ] as const;
  for (const [property, version] of expect) {
    if (version === undefined) continue;
    const found = new RegExp(`<${property.replace('.', '\\.')}>([^<]+)</`).exec(pom)?.[1];
    if (found !== version) {
      throw new KvsError(
        'INTERNAL',
        `${dist.pomFile} pins ${property} ${found ?? '(none)'} but versions.ts says ${version}; make them agree.`,
      );
    }
  }
  return createHash('sha256').update(pom).digest('hex');
}

async function readMarker(dir: string): Promise<Marker | undefined> {
  try {
    const parsed: unknown = JSON.parse(await readFile(path.join(dir, MARKER), 'utf8'));
    if (
      typeof parsed === 'object' &&
      parsed !== null &&
      'kafkaVersion' in parsed &&
      'pomSha256' in parsed
    ) {
      const { kafkaVersion, pomSha256 } = parsed;
      if (typeof kafkaVersion === 'string' && typeof pomSha256 === 'string')
        return { kafkaVersion, pomSha256 };
    }
  } catch {
    // missing or unreadable: not complete
  }
  return undefined;
}

export interface EnsureLibsOptions {
  env?: Env;
  /** Progress line sink (default: stderr). */
  log?: (line: string) => void;
}

/**
 * The folder of jars for `mode`, downloading them with Maven on first use. A completed
 * folder carries a marker with the pom's hash, so later runs skip Maven (and a changed pom
 * downloads again). Downloads go to a private temp folder that is renamed into place, so
 * two processes fetching at once can't leave a half-filled folder.
 */
export async function ensureKafkaLibs(
  mode: KafkaMode,
  options: EnsureLibsOptions = {},
): Promise<string> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const dist = DISTRIBUTIONS[mode];
  const dir = libsDir(mode, env);
  const pomSha256 = await pomFingerprint(dist);
  const current = await readMarker(dir);
  if (current?.pomSha256 === pomSha256) return dir;

  const what = `Apache Kafka ${dist.kafkaVersion}${dist.zookeeperVersion === undefined ? '' : ` and ZooKeeper ${dist.zookeeperVersion}`}`;
  const mvn = findMaven(env, what);
  log(`Downloading ${what} from Maven Central (first run only)…`);
  await mkdir(path.dirname(dir), { recursive: true });
  const tmp = `${dir}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await runMaven(
      mvn,
      ['-q', '-B', '-f', dist.pomFile, 'dependency:copy-dependencies', `-DoutputDirectory=${tmp}`],
      env,
    );
    const jars = (await readdir(tmp)).filter((f) => f.endsWith('.jar'));
    if (!jars.some((j) => j.startsWith(`kafka_2.13-${dist.kafkaVersion}`))) {
      throw new KvsError(
        'INTERNAL',
        `Maven finished but ${tmp} has no kafka_2.13-${dist.kafkaVersion}.jar.`,
      );
    }
    const marker: Marker = { kafkaVersion: dist.kafkaVersion, pomSha256 };
    await writeFile(path.join(tmp, MARKER), `${JSON.stringify(marker, null, 2)}\n`);
    if ((await readMarker(dir))?.pomSha256 === pomSha256) return dir; // someone else finished first
    if (existsSync(dir)) await rm(dir, { recursive: true, force: true }); // stale or incomplete
    try {
      await rename(tmp, dir);
    } catch (error) {
      if ((await readMarker(dir))?.pomSha256 !== pomSha256) throw error; // lost a race to a complete copy: fine
    }
    return dir;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

function runMaven(mvn: string, args: string[], env: Env): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(mvn, args, {
      env: { ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      shell: process.platform === 'win32' && /\.(cmd|bat)$/i.test(mvn),
    });
    let output = '';
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-20_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => child.kill('SIGKILL'), 15 * 60_000);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new KvsError('MAVEN_NOT_FOUND', `Could not run ${mvn}: ${error.message}`));
    });
    child.once('close', (code, sig) => {
      clearTimeout(timer);
      if (code === 0) {
        resolve();
        return;
      }
      // eslint-disable-next-line no-control-regex
      const clean = output.replace(/\u001b\[[0-9;]*m/g, '').trim();
      const errors = clean.split('\n').filter((l) => l.includes('[ERROR]'));
      const firstError = (errors[0] ?? clean.split('\n').at(-1) ?? '')
        .replace(/^\[ERROR\]\s*/, '')
        .trim();
      reject(
        new KvsError(
          'INTERNAL',
          `Maven could not download Kafka's jars (${sig ?? `exit ${String(code)}`}): ${firstError || 'no output'}. Is Maven Central reachable?`,
          clean.split('\n').slice(-30).join('\n'),
        ),
      );
    });
  });
}
