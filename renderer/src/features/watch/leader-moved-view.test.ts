/** The leader move as the page shows it: in the producer's stats and the viewer's, never as an error. */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type {
  ProduceProgressEvent,
  WatchStatsEvent,
} from '../../../../electron/shared/contract.js';
import { ProduceProgress } from '../produce/produce-stats.js';
import { ViewerStats } from './viewer-stats.js';

const movedAt = new Date(2026, 11, 5, 12, 3, 4).getTime();
const moved = { partition: 0, nodeId: 2, previous: 1, movedAt };

const progress: ProduceProgressEvent = {
  jobId: 'job-1',
  frames: 300,
  acked: 300,
  failed: 0,
  bytes: 1_000_000,
  elapsedMs: 10_000,
  fps: 30,
  bytesPerSec: 100_000,
  shrunk: 0,
  total: 300,
  brokerState: 'connected',
  brokerError: null,
  leader: moved,
};

const stats: WatchStatsEvent = {
  viewerId: 'viewer-1',
  state: 'playing',
  frames: 300,
  bytes: 1_000_000,
  skipped: 0,
  gaps: 0,
  repeats: 0,
  dropped: 0,
  error: null,
  leader: moved,
};

/** The element with this data-testid: its attributes and text. */
function byTestId(html: string, id: string): string | null {
  const m = new RegExp(`<[a-z]+[^>]*data-testid="${id}"[^>]*>[^<]*<`).exec(html);
  return m === null ? null : m[0];
}

describe('leader moved, as the page shows it', () => {
  it("the producer's stats: a muted line, broker 1 → 2 at its time; no error, the link connected", () => {
    const html = renderToStaticMarkup(
      createElement(ProduceProgress, { progress, ended: null, running: true }),
    );
    const line = byTestId(html, 'produce-leader-moved');
    expect(line).toContain('Leader moved: broker 1 → 2 (12:03:04)');
    expect(line).toContain('class="muted"');
    expect(line).toContain('data-node-id="2"');
    expect(html).not.toContain('error-text');
    expect(html).not.toContain('role="alert"');
    expect(byTestId(html, 'produce-broker')).toBeNull(); // connected: no link notice at all
  });

  it('the producer says nothing before a move, or with no leader known', () => {
    for (const leader of [null, { ...moved, previous: null, movedAt: null }, undefined]) {
      const html = renderToStaticMarkup(
        createElement(ProduceProgress, {
          progress: { ...progress, leader },
          ended: null,
          running: true,
        }),
      );
      expect(byTestId(html, 'produce-leader-moved')).toBeNull();
    }
  });

  it("the viewer's stats: broker 1 → 2 at its time", () => {
    const html = renderToStaticMarkup(
      createElement(ViewerStats, { snap: null, servicesStats: stats, playing: true }),
    );
    expect(byTestId(html, 'viewer-leader-moved')).toContain(
      'Leader moved: broker 1 → 2 (12:03:04)',
    );
    const none = renderToStaticMarkup(
      createElement(ViewerStats, {
        snap: null,
        servicesStats: { ...stats, leader: null },
        playing: true,
      }),
    );
    expect(byTestId(none, 'viewer-leader-moved')).toBeNull();
  });
});
