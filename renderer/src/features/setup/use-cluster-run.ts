/**
 * A cluster run followed from its events (useRunEvents): a cluster install or a rolling restart
 * (one hook each).
 */
import { applyClusterEvent, type ClusterRunView } from './cluster-run-view.js';
import { useRunEvents, type FollowedRun } from './use-run-events.js';

export type ClusterRun = FollowedRun<ClusterRunView>;

export function useClusterRun(): ClusterRun {
  return useRunEvents(applyClusterEvent);
}
