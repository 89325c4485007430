/**
 * The app's broker connection to a new install's bootstrap address, through the same path as the
 * Kafka broker panel: whether it is connected (or connecting) there now, and a connect that
 * rejects with the reason when it does not connect.
 */
import { parseBootstrap } from '../../../../electron/shared/bootstrap.js';
import { useKafka } from '../../shared/kafka-context.js';

export interface BrokerConnect {
  /** The bootstrap address as the connection reports it (normalized when it parses). */
  readonly normalized: string;
  readonly connectedHere: boolean;
  readonly connecting: boolean;
  connect(): Promise<void>;
}

export function useBrokerConnect(bootstrap: string): BrokerConnect {
  const kafka = useKafka();
  const parsed = parseBootstrap(bootstrap);
  const normalized = parsed.ok ? parsed.normalized : bootstrap;
  const connectedHere =
    kafka.status?.state === 'connected' && kafka.status.bootstrap === normalized;
  const connecting = kafka.status?.state === 'connecting' && kafka.status.bootstrap === normalized;
  const connect = async () => {
    const status = await kafka.connect(bootstrap);
    if (status.state !== 'connected')
      throw new Error(status.error?.message ?? `Could not connect to ${bootstrap}.`);
  };
  return { normalized, connectedHere, connecting, connect };
}
