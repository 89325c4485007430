/**
 * The Kafka connection and the topic list, shared by every panel: the service's
 * ConnectionStatus (read when the service is reachable, then kept fresh by `connection:status`
 * events), the saved connection profiles and the topics. All three are queries (queries.tsx):
 * the status is replaced by events and connect answers, the others are read again when
 * something changes them.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useEffectEvent,
  useMemo,
  useState,
  type ReactNode,
} from 'react';
import type {
  ConnectionStatus,
  ConnectTarget,
  TopicSummary,
} from '../../../electron/shared/contract.js';
import type { ProfileView } from '../../../electron/shared/connection-profile.js';
import { parseBootstrap } from '../../../electron/shared/bootstrap.js';
import { errorMessage } from '../transport/errors.js';
import { useApi, useApiEvent, useServicesLost, useServicesReady } from './api-context.js';
import { queryKeys } from './queries.js';

export interface KafkaState {
  readonly status: ConnectionStatus | null;
  setStatus(status: ConnectionStatus): void;
  /**
   * Connect the app to a broker: shows "connecting" at once, then the service's answer; on a failure
   * the status goes back to disconnected and the error is thrown. The one connect path every panel
   * uses (the broker form, the setup wizard's "Connect to it").
   */
  connect(target: string | ConnectTarget, shownBootstrap?: string): Promise<ConnectionStatus>;
  /**
   * What the page last tried to connect with (a bootstrap with settings, or a profile and the
   * secrets typed for it — kept in this page's memory only, for the doctor); null: nothing yet.
   */
  readonly target: ConnectTarget | null;
  /** The bootstrap `target` connects to (a profile's, as the page knew it); null with no target. */
  readonly targetBootstrap: string | null;
  /** Saved connection profiles, most recently used first; and whether secrets can be remembered. */
  readonly profiles: readonly ProfileView[];
  readonly canRememberSecrets: boolean;
  refreshProfiles(): void;
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

const NO_TOPICS: readonly TopicSummary[] = [];
const NO_PROFILES: readonly ProfileView[] = [];

export function KafkaProvider({ children }: { children: ReactNode }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const servicesReady = useServicesReady();

  const statusQuery = useQuery({
    queryKey: queryKeys.connectionStatus,
    queryFn: () => api.invoke('connection:status', {}),
    enabled: servicesReady,
  });
  // Service gone: what it said about Kafka is no longer known (asked again once it is back).
  const status = servicesReady ? (statusQuery.data ?? null) : null;
  useServicesLost(() => queryClient.removeQueries({ queryKey: queryKeys.connectionStatus }));

  const setStatus = useCallback(
    (next: ConnectionStatus) => {
      // A read still out is older than this: drop its answer (cancelling is synchronous).
      void queryClient.cancelQueries({ queryKey: queryKeys.connectionStatus });
      queryClient.setQueryData(queryKeys.connectionStatus, next);
    },
    [queryClient],
  );
  useApiEvent('connection:status', setStatus);

  const profilesQuery = useQuery({
    queryKey: queryKeys.profiles,
    queryFn: () => api.invoke('profiles:list', {}),
    enabled: servicesReady,
  });
  // connecting changes the profiles (lastUsed; typed settings become a profile)
  const refreshProfiles = useCallback(() => {
    void queryClient.invalidateQueries({ queryKey: queryKeys.profiles });
  }, [queryClient]);
  const profilesList = profilesQuery.data?.profiles ?? NO_PROFILES;
  const [target, setTarget] = useState<{ target: ConnectTarget; bootstrap: string } | null>(null);

  // The topics of the cluster connected to; none (and none kept) while not connected.
  const cluster = status?.state === 'connected' ? status : null;
  const topicsQuery = useQuery({
    queryKey: queryKeys.topics(cluster?.bootstrap ?? '', cluster?.clusterId ?? null),
    queryFn: () => api.invoke('topics:list', {}),
    enabled: cluster !== null,
    gcTime: 0,
  });
  const refreshTopics = useCallback(
    () => queryClient.invalidateQueries({ queryKey: queryKeys.topicsAll }),
    [queryClient],
  );
  // A produce run ended: its topic may be new, and its message count changed.
  useApiEvent('produce:ended', () => void refreshTopics());

  const connect = useCallback(
    async (to: string | ConnectTarget, shownBootstrap?: string): Promise<ConnectionStatus> => {
      const asked = typeof to === 'string' ? { bootstrap: to } : to;
      let next: ConnectTarget;
      let shown: string;
      if ('bootstrap' in asked) {
        const p = parseBootstrap(asked.bootstrap);
        if (!p.ok) throw new Error(p.error);
        next = { ...asked, bootstrap: p.normalized };
        shown = p.normalized;
      } else {
        next = asked;
        shown =
          shownBootstrap ?? profilesList.find((x) => x.id === asked.profileId)?.bootstrap ?? '';
      }
      const optimistic: ConnectionStatus = {
        state: 'connecting',
        bootstrap: shown,
        clusterId: null,
        brokers: [],
        error: null,
      };
      setStatus(optimistic);
      try {
        // what this attempt connects with, for the doctor's runs (page memory only, never stored)
        setTarget({ target: next, bootstrap: shown });
        const reply = await api.invoke('connection:connect', next);
        setStatus(reply);
        return reply;
      } catch (err) {
        setStatus({ ...optimistic, state: 'disconnected' });
        throw err;
      } finally {
        refreshProfiles();
      }
    },
    [api, setStatus, refreshProfiles, profilesList],
  );

  const topics = cluster !== null ? (topicsQuery.data ?? NO_TOPICS) : NO_TOPICS;
  const topicsLoaded = cluster !== null && topicsQuery.data !== undefined;
  const topicsLoading = cluster !== null && topicsQuery.isFetching;
  const topicsError =
    cluster !== null && topicsQuery.error !== null ? errorMessage(topicsQuery.error) : null;
  const canRememberSecrets = profilesQuery.data?.canRemember ?? false;

  const value = useMemo<KafkaState>(
    () => ({
      status,
      setStatus,
      connect,
      target: target?.target ?? null,
      targetBootstrap: target?.bootstrap ?? null,
      profiles: profilesList,
      canRememberSecrets,
      refreshProfiles,
      topics,
      topicsLoaded,
      topicsLoading,
      topicsError,
      refreshTopics,
    }),
    [
      status,
      setStatus,
      connect,
      target,
      refreshProfiles,
      profilesList,
      canRememberSecrets,
      topics,
      topicsLoaded,
      topicsLoading,
      topicsError,
      refreshTopics,
    ],
  );
  return <KafkaContext.Provider value={value}>{children}</KafkaContext.Provider>;
}

/**
 * Calls `handler` each time the connection becomes connected — from any source: the first read,
 * a `connection:status` event, a connect answer. An event, not a state: for work that starts
 * then (the demo's first viewer), so the handler may set state.
 */
export function useOnKafkaConnected(handler: (status: ConnectionStatus) => void): void {
  const queryClient = useQueryClient();
  const onConnected = useEffectEvent(handler);
  useEffect(() => {
    const read = () =>
      queryClient.getQueryData<ConnectionStatus>(queryKeys.connectionStatus) ?? null;
    let connected = read()?.state === 'connected';
    return queryClient.getQueryCache().subscribe(() => {
      const now = read();
      if (now?.state === 'connected' && !connected) onConnected(now);
      connected = now?.state === 'connected';
    });
  }, [queryClient]);
}
