/**
 * The Kafka connection and the topic list, shared by every panel: the host's
 * ConnectionStatus (fetched when the host is reachable, then kept fresh by
 * `connection:status` events), recent bootstrap addresses and the topics.
 */
import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useState,
  type ReactNode,
} from 'react';
import type { ConnectionStatus, TopicSummary } from '../../../electron/shared/contract.js';
import { parseBootstrap } from '../../../electron/shared/bootstrap.js';
import { errorMessage } from '../transport/errors.js';
import { useApi, useApiEvent, useHostReady } from './api-context.js';
import { useLatestCall } from './latest-call.js';

export interface KafkaState {
  readonly status: ConnectionStatus | null;
  setStatus(status: ConnectionStatus): void;
  /**
   * Connect the app to a broker: shows "connecting" at once, then the host's answer; on a failure
   * the status goes back to disconnected and the error is thrown. The one connect path every panel
   * uses (the broker form, the setup wizard's "Connect to it").
   */
  connect(bootstrap: string): Promise<ConnectionStatus>;
  readonly recent: readonly string[];
  refreshRecent(): void;
  readonly topics: readonly TopicSummary[];
  readonly topicsLoaded: boolean;
  readonly topicsLoading: boolean;
  readonly topicsError: string | null;
  /** Never rejects. */
  refreshTopics(): Promise<void>;
}

const KafkaContext = createContext<KafkaState | null>(null);

export function useKafka(): KafkaState {
  const v = useContext(KafkaContext);
  if (!v) throw new Error('useKafka() outside <KafkaProvider>');
  return v;
}

export function KafkaProvider({ children }: { children: ReactNode }) {
  const api = useApi();
  const hostReady = useHostReady();
  const [status, setStatus] = useState<ConnectionStatus | null>(null);
  const [recent, setRecent] = useState<readonly string[]>([]);
  const [topics, setTopics] = useState<readonly TopicSummary[]>([]);
  const [topicsLoaded, setTopicsLoaded] = useState(false);
  const [topicsLoading, setTopicsLoading] = useState(false);
  const [topicsError, setTopicsError] = useState<string | null>(null);
  const topicsCall = useLatestCall();

  useApiEvent('connection:status', setStatus);

  const refreshRecent = useCallback(() => {
    api.invoke('connection:recent', {}).then(setRecent, () => undefined);
  }, [api]);

  const refreshTopics = useCallback(async () => {
    const call = topicsCall.next();
    setTopicsLoading(true);
    try {
      const list = await api.invoke('topics:list', {});
      if (!topicsCall.isCurrent(call)) return;
      setTopics(list);
      setTopicsLoaded(true);
      setTopicsError(null);
    } catch (err) {
      if (topicsCall.isCurrent(call)) setTopicsError(errorMessage(err));
    } finally {
      if (topicsCall.isCurrent(call)) setTopicsLoading(false);
    }
  }, [api, topicsCall]);

  // Host (re)connected: ask where the Kafka connection stands.
  // Host gone: what it said about Kafka is no longer known.
  useEffect(() => {
    if (!hostReady) {
      setStatus(null);
      return;
    }
    api.invoke('connection:status', {}).then(setStatus, () => undefined);
    refreshRecent();
  }, [api, hostReady, refreshRecent]);

  const connected = status?.state === 'connected';
  const clusterKey = connected ? `${status.bootstrap ?? ''}|${status.clusterId ?? ''}` : null;
  useEffect(() => {
    if (clusterKey === null || !hostReady) {
      topicsCall.cancel();
      setTopics([]);
      setTopicsLoaded(false);
      setTopicsLoading(false);
      setTopicsError(null);
      return;
    }
    void refreshTopics();
  }, [clusterKey, hostReady, refreshTopics, topicsCall]);

  const connect = useCallback(
    async (bootstrap: string): Promise<ConnectionStatus> => {
      const p = parseBootstrap(bootstrap);
      if (!p.ok) throw new Error(p.error);
      const optimistic: ConnectionStatus = {
        state: 'connecting',
        bootstrap: p.normalized,
        clusterId: null,
        brokers: [],
        error: null,
      };
      setStatus(optimistic);
      try {
        const next = await api.invoke('connection:connect', { bootstrap: p.normalized });
        setStatus(next);
        return next;
      } catch (err) {
        setStatus({ ...optimistic, state: 'disconnected' });
        throw err;
      } finally {
        refreshRecent();
      }
    },
    [api, refreshRecent],
  );

  const value = useMemo<KafkaState>(
    () => ({
      status,
      setStatus,
      connect,
      recent,
      refreshRecent,
      topics,
      topicsLoaded,
      topicsLoading,
      topicsError,
      refreshTopics,
    }),
    [
      status,
      connect,
      recent,
      refreshRecent,
      topics,
      topicsLoaded,
      topicsLoading,
      topicsError,
      refreshTopics,
    ],
  );
  return <KafkaContext.Provider value={value}>{children}</KafkaContext.Provider>;
}
