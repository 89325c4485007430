/** What the benchmark ran on: CPU, cores, RAM, OS, Node (Chromium and Kafka are added later). */
import { readFileSync } from 'node:fs';
import os from 'node:os';

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly ramGiB: number;
  readonly os: string;
  readonly node: string;
  chromium: string | null;
  kafka: string | null;
}

function read(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

export function describeMachine(): Machine {
  const cpu =
    /^model name\s*:\s*(.+)$/m.exec(read('/proc/cpuinfo'))?.[1]?.trim() ??
    os.cpus()[0]?.model ??
    'unknown CPU';
  const pretty =
    /^PRETTY_NAME="?([^"\n]+)"?$/m.exec(read('/etc/os-release'))?.[1] ??
    `${os.type()} ${os.release()}`;
  return {
    cpu,
    cores: os.availableParallelism(),
    ramGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    os: `${pretty} (kernel ${os.release()})`,
    node: process.version,
    chromium: null,
    kafka: null,
  };
}

export function machineLine(m: Machine): string {
  return `${m.cpu}, ${m.cores} cores, ${m.ramGiB} GiB RAM, ${m.os}, Node ${m.node}, Chromium ${m.chromium ?? '?'}, Kafka ${m.kafka ?? '?'}`;
}
