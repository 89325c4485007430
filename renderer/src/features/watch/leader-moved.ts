/**
 * "Leader moved: broker 1 → 2 (12:03:04)" — a producer job's or a viewer's partition leader
 * changed while it ran (ProduceProgressEvent.leader, WatchStatsEvent.leader). Information, not an
 * error: with replicas the stream goes on on the new leader.
 */
import type { WatchStatsEvent } from '../../../../electron/shared/contract.js';

export type PartitionLeader = NonNullable<WatchStatsEvent['leader']>;

const two = (n: number): string => String(n).padStart(2, '0');

/** ms since the epoch → "12:03:04" in local time. */
export function clockTime(ms: number): string {
  const d = new Date(ms);
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/** The line to show, or null while no move was seen. */
export function leaderMovedText(
  leader: PartitionLeader | null | undefined,
  time: (ms: number) => string = clockTime,
): string | null {
  if (leader == null || leader.previous === null || leader.movedAt === null) return null;
  return `Leader moved: broker ${leader.previous} → ${leader.nodeId} (${time(leader.movedAt)})`;
}

/** A tooltip: which partition, and that nothing is wrong. */
export function leaderMovedTitle(leader: PartitionLeader): string {
  return `Partition ${leader.partition} is now led by broker ${leader.nodeId} (it was broker ${leader.previous ?? '?'}). The stream goes on; this is not an error.`;
}
