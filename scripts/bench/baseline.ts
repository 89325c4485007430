/**
 * The tutorial's pipeline beside ours: baseline_producer.py (OpenCV → imencode('.jpg') →
 * kafka-python send, no sleep) and baseline_consumer.py (kafka-python, latency to receipt =
 * receive time − record timestamp), run with Debian's python3 against the same broker and video.
 * Missing python3-kafka / python3-opencv: skipped with the reason, never a crash.
 */
import { execFile, spawn } from 'node:child_process';
import path from 'node:path';
import type { KafkaHandle } from '../../electron/core/kafka/client.js';
import { createTopic } from '../../electron/core/kafka/topics.js';
import { percentiles, round } from './stats.js';

export const PYTHON = process.env.KVS_BENCH_PYTHON ?? '/usr/bin/python3';
const here = import.meta.dirname;

export type Baseline =
  | {
      readonly fps: number | null;
      readonly latencyMs: {
        readonly p50: number | null;
        readonly p95: number | null;
        readonly p99: number | null;
      };
      readonly frames: number;
      readonly received: number;
      readonly produceFps: number | null;
      readonly meanFrameBytes: number | null;
    }
  | { readonly skipped: string };

/** null when the baseline can run, else why not. */
export function baselineProblem(): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(PYTHON, ['-c', 'import kafka, cv2'], { timeout: 30_000 }, (err, _out, stderr) => {
      if (!err) resolve(null);
      else if ((err as NodeJS.ErrnoException).code === 'ENOENT') resolve(`${PYTHON} not found`);
      else
        resolve(
          `${PYTHON} cannot import kafka and cv2 (${String(stderr).trim().split('\n').pop() ?? err.message}); install them with: apt-get install -y python3-kafka python3-opencv`,
        );
    });
  });
}

interface Child {
  readonly stdout: Promise<string>;
  readonly ready: Promise<void>;
  kill(): void;
}

function runPython(script: string, args: string[], signal: AbortSignal, timeoutMs: number): Child {
  const child = spawn(PYTHON, [path.join(here, script), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let onReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
    if (err.includes('ready')) onReady();
  });
  const kill = (): void => void child.kill('SIGKILL');
  const timer = setTimeout(kill, timeoutMs);
  signal.addEventListener('abort', kill, { once: true });
  const stdout = new Promise<string>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', kill);
      onReady();
      if (code === 0) resolve(out);
      else
        reject(
          new Error(
            `${script} exited with ${code}: ${err.trim().split('\n').slice(-3).join(' | ')}`,
          ),
        );
    });
  });
  return { stdout, ready, kill };
}

function lastJson<T>(text: string): T {
  const line = text.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as T;
}

export async function runBaseline(
  handle: KafkaHandle,
  bootstrap: string,
  video: string,
  frames: number,
  signal: AbortSignal,
): Promise<Baseline> {
  const problem = await baselineProblem();
  if (problem) return { skipped: problem };
  const topic = `bench-baseline-${Date.now().toString(36)}`;
  await createTopic(handle, topic);
  const timeoutMs = 60_000 + frames * 100;
  const consumer = runPython(
    'baseline_consumer.py',
    [bootstrap, topic, String(frames), '10'],
    signal,
    timeoutMs,
  );
  try {
    await consumer.ready;
    const producer = runPython(
      'baseline_producer.py',
      [bootstrap, topic, video],
      signal,
      timeoutMs,
    );
    const p = lastJson<{ frames: number; bytes: number; startMs: number; endMs: number }>(
      await producer.stdout,
    );
    const c = lastJson<{
      frames: number;
      firstMs: number | null;
      lastMs: number | null;
      latencies: number[];
    }>(await consumer.stdout);
    const lat = percentiles(c.latencies);
    return {
      fps:
        c.lastMs !== null && c.lastMs > p.startMs
          ? round((c.frames * 1000) / (c.lastMs - p.startMs), 1)
          : null,
      latencyMs: { p50: round(lat.p50), p95: round(lat.p95), p99: round(lat.p99) },
      frames: p.frames,
      received: c.frames,
      produceFps: p.endMs > p.startMs ? round((p.frames * 1000) / (p.endMs - p.startMs), 1) : null,
      meanFrameBytes: p.frames > 0 ? Math.round(p.bytes / p.frames) : null,
    };
  } catch (e) {
    consumer.kill();
    return { skipped: `the baseline failed: ${e instanceof Error ? e.message : String(e)}` };
  }
}
