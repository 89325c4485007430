/**
 * Max rate end to end, without the page: core produceFile as fast as ffmpeg goes, and
 * concurrently the core viewer (from the beginning, unpaced) in this process.
 * fps = frames received / (first produce → last receipt).
 */
import type { KafkaHandle } from '../../electron/core/kafka/client.js';
import { createTopic } from '../../electron/core/kafka/topics.js';
import { startViewer } from '../../electron/core/kafka/viewer.js';
import { produceFile } from '../../electron/core/produce-file.js';
import { startCpuWindow, type ProcessGroup } from './proc.js';
import { round } from './stats.js';
import { sleep } from './browser-runs.js';

export interface MaxRate {
  readonly fps: number | null;
  /** Frames acknowledged per second by the producer alone. */
  readonly produceFps: number | null;
  readonly produced: number;
  readonly received: number;
  readonly cpuPct: Record<ProcessGroup, number | null>;
}

export async function runMaxRate(
  handle: KafkaHandle,
  video: string,
  kind: string,
  brokerPid: number | null,
  signal: AbortSignal,
): Promise<MaxRate> {
  const topic = `bench-${kind}-${Date.now().toString(36)}`;
  await createTopic(handle, topic);
  let received = 0;
  let lastAt = 0;
  const viewer = await startViewer(handle, {
    topic,
    from: { kind: 'beginning' },
    pace: false,
    onFrame: () => {
      received++;
      lastAt = performance.now();
    },
  });
  try {
    await viewer.ready;
    const cpu = startCpuWindow(brokerPid);
    const t0 = performance.now();
    const result = await produceFile(handle, video, { topic, realtime: false, signal });
    const deadline = performance.now() + 15_000;
    while (received < result.acked && performance.now() < deadline && !signal.aborted)
      await sleep(20, signal);
    const cpuPct = cpu.stop();
    return {
      fps: received > 0 && lastAt > t0 ? round((received * 1000) / (lastAt - t0), 1) : null,
      produceFps:
        result.durationMs > 0 ? round((result.acked * 1000) / result.durationMs, 1) : null,
      produced: result.acked,
      received,
      cpuPct,
    };
  } finally {
    await viewer.stop();
  }
}
