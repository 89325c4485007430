/**
 * The page's reads from the service — the connection status, recent addresses, the topic list,
 * the saved servers — go through TanStack Query; actions (connect, create, start, install…)
 * stay plain calls (useAction, LatestCall where only the newest answer counts).
 *
 * Why TanStack Query and not hand-written state: it is a well-kept library that already does
 * what each panel did by hand — one cache per read shared by every panel that shows it,
 * one request when several ask at once, the answer of a read that was superseded dropped
 * (what LatestCall did for the topic list), and invalidation by event (a topic created, a
 * produce run ended, the connection changed) instead of counters kept next to each list.
 *
 * The settings keep the page as it was: no retries (a failed read is shown to the person at
 * once, as before), no refetch on window focus or network change (the service's own events and
 * the transport's reconnect say when to ask again).
 */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';

/** Every read's key, in one place: invalidate by prefix (e.g. all of `topics`). */
export const queryKeys = {
  connectionStatus: ['connection', 'status'] as const,
  profiles: ['connection', 'profiles'] as const,
  /** The topic list of one cluster: its bootstrap and cluster id are in the key. */
  topicsAll: ['topics'] as const,
  topics: (bootstrap: string, clusterId: string | null) =>
    ['topics', bootstrap, clusterId] as const,
  savedServers: ['setup', 'saved-servers'] as const,
  /** The streams one topic carries (`topics:streams`), on one cluster. */
  streamsAll: ['streams'] as const,
  streams: (bootstrap: string, clusterId: string | null, topic: string) =>
    ['streams', bootstrap, clusterId, topic] as const,
};

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        retry: false,
        refetchOnWindowFocus: false,
        refetchOnReconnect: false,
      },
    },
  });
}

/** The page's one QueryClient (app.tsx puts it around everything). */
export function QueryProvider({ children }: { children: ReactNode }) {
  const [client] = useState(createQueryClient);
  return <QueryClientProvider client={client}>{children}</QueryClientProvider>;
}
