/**
 * "Only the latest call counts", written once: each call takes a ticket, and its answer counts
 * only while no newer call (or a cancel) has come since. For an action that may be started again
 * before the last answer came: the doctor, starting a viewer. (Reads are queries: queries.tsx.)
 */
import { useState } from 'react';

export class LatestCall {
  private current = 0;

  /** A new call: every older ticket stops counting. */
  next(): number {
    return ++this.current;
  }

  /** Is this still the newest call? */
  isCurrent(ticket: number): boolean {
    return ticket === this.current;
  }

  /** No call in flight counts any more. */
  cancel(): void {
    this.current++;
  }
}

/** One LatestCall for a component's lifetime. */
export function useLatestCall(): LatestCall {
  const [latest] = useState(() => new LatestCall());
  return latest;
}
