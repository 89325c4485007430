/** What the connection panel says, from the host's ConnectionStatus. Pure. */
import type { ConnectionStatus } from '../../../../electron/shared/contract.js';
import type { StatusKind } from '../../shared/status.js';

export interface StatusView {
  readonly tone: StatusKind;
  /** One line; contains "Connected" only when connected. */
  readonly headline: string;
  readonly lines: readonly string[];
}

export function brokerAddress(b: { host: string; port: number }): string {
  return b.host.includes(':') ? `[${b.host}]:${b.port}` : `${b.host}:${b.port}`;
}

function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h.endsWith('.localhost') || h.startsWith('127.') || h === '::1';
}

function hostOf(address: string): string {
  const m = /^\[([^\]]+)\]:\d+$/.exec(address) ?? /^([^:]+):\d+$/.exec(address);
  return m?.[1] ?? address;
}

/**
 * Warnings about what the broker advertises compared to what was typed: the classic
 * `advertised.listeners` trap (bootstrap works, everything after it goes to an address
 * this computer cannot reach).
 */
export function advertisedWarnings(status: ConnectionStatus): string[] {
  if (status.state !== 'connected' || !status.bootstrap || status.brokers.length === 0) return [];
  const typed = status.bootstrap.split(',').map((s) => s.trim().toLowerCase());
  const advertised = status.brokers.map(brokerAddress);
  const out: string[] = [];
  const typedRemote = typed.some((a) => !isLoopbackHost(hostOf(a)));
  const loopbackAdvertised = advertised.filter((a) => isLoopbackHost(hostOf(a)));
  if (typedRemote && loopbackAdvertised.length > 0)
    out.push(
      `The broker advertises ${loopbackAdvertised.join(', ')} — a loopback address. Clients on other machines will fail after the first request. Set advertised.listeners to PLAINTEXT://x.y.z.w:9092 (the broker's real IPv4 address) on the broker.`,
    );
  else if (!advertised.some((a) => typed.includes(a.toLowerCase())))
    out.push(
      `You typed ${status.bootstrap}, but the broker advertises ${advertised.join(', ')}. From now on the client talks to the advertised address, so this computer must be able to reach it.`,
    );
  return out;
}

/** `profile`: the name of the connection profile connected with, if any (said once connected). */
export function describeStatus(
  status: ConnectionStatus | null,
  callError: string | null,
  profile: string | null = null,
): StatusView {
  if (callError && status?.state !== 'connected')
    return { tone: 'error', headline: `Connection failed: ${callError}`, lines: [] };
  if (!status) return { tone: 'idle', headline: 'Not connected to Kafka yet.', lines: [] };
  const target = status.bootstrap ?? 'the broker';
  switch (status.state) {
    case 'disconnected':
      return { tone: 'idle', headline: 'Not connected to Kafka.', lines: [] };
    case 'connecting':
      return { tone: 'busy', headline: `Connecting to ${target}…`, lines: [] };
    case 'failed':
      return {
        tone: 'error',
        headline: `Connection to ${target} failed: ${status.error?.message ?? 'no reason was given.'}`,
        lines: status.error?.detail ? [status.error.detail] : [],
      };
    case 'connected': {
      const lines = [`Cluster id: ${status.clusterId ?? 'unknown'}`];
      const brokers = status.brokers.map((b) => `${brokerAddress(b)} (node ${b.nodeId})`);
      lines.push(
        brokers.length > 0
          ? `Advertised brokers: ${brokers.join(', ')}`
          : 'The broker advertised no addresses.',
      );
      // connected, but a stream has lost the broker (a restart, the network): it says why
      if (status.error)
        return {
          tone: 'busy',
          headline: `Connected to ${target}, but Kafka is not answering right now — streams are reconnecting by themselves.`,
          lines: [status.error.message, ...lines],
        };
      return {
        tone: 'ok',
        headline: `Connected to ${target}${profile !== null ? ` — profile “${profile}”` : ''}`,
        lines,
      };
    }
  }
}

/** The connect button: what it says and does for a state. */
export function connectButtonMode(
  state: ConnectionStatus['state'] | undefined,
): 'connect' | 'disconnect' {
  return state === 'connected' || state === 'connecting' ? 'disconnect' : 'connect';
}
