import { describe, expect, it } from 'vitest';
import type { EventChannel, EventPayload } from '../shared/contract.js';
import { KvsError } from '../shared/errors.js';
import type { ProduceProgress, ProduceResult } from '../core/kafka/producer.js';
import { createJobReport } from './job-report.js';
import { STATS_INTERVAL_MS } from './limits.js';

function harness(extraKey = () => '') {
  const events: { channel: EventChannel; payload: unknown }[] = [];
  const links: [string, unknown][] = [];
  let t = 1000;
  let total: number | null = 50;
  const report = createJobReport({
    jobId: 'job1',
    emit: <C extends EventChannel>(channel: C, payload: EventPayload<C>) => {
      events.push({ channel, payload });
    },
    now: () => t,
    reportLink: (id, err) => links.push([id, err]),
    extras: { fields: () => ({ total }), key: extraKey },
  });
  return {
    report,
    events,
    links,
    progress: () =>
      events
        .filter((e) => e.channel === 'produce:progress')
        .map((e) => e.payload) as EventPayload<'produce:progress'>[],
    advance: (ms: number) => (t += ms),
    setTotal: (n: number | null) => (total = n),
  };
}

const p = (frames: number, acked = frames): ProduceProgress => ({
  frames,
  acked,
  failed: 0,
  bytes: frames * 10,
  elapsedMs: 0,
  fps: 0,
  bytesPerSec: 0,
  shrunk: 0,
  brokerState: 'connected',
  leader: null,
});

const result = (over: Partial<ProduceResult> = {}): ProduceResult =>
  ({
    topic: 't',
    streamId: 's',
    frames: 10,
    acked: 10,
    failed: 0,
    bytes: 100,
    durationMs: 500,
    cancelled: false,
    ...over,
  }) as ProduceResult;

describe('a produce job report', () => {
  it('progress is throttled; the extras ride along', () => {
    const h = harness();
    h.report.progress(p(1));
    h.report.progress(p(2));
    expect(h.progress().map((e) => e.frames)).toEqual([1]);
    h.advance(STATS_INTERVAL_MS);
    h.report.progress(p(3));
    expect(h.progress().map((e) => [e.frames, e.total])).toEqual([
      [1, 50],
      [3, 50],
    ]);
  });

  it('a broker state goes to the connection and out at once; its error only while not connected', () => {
    const h = harness();
    const down = new KvsError('BROKER_UNREACHABLE', 'gone');
    h.report.brokerState('reconnecting', down);
    expect(h.links).toEqual([['job1', expect.objectContaining({ code: 'BROKER_UNREACHABLE' })]]);
    expect(h.progress().at(-1)).toMatchObject({
      brokerState: 'reconnecting',
      brokerError: { code: 'BROKER_UNREACHABLE' },
    });
    h.report.brokerState('connected', null);
    expect(h.links.at(-1)).toEqual(['job1', null]);
    expect(h.progress().at(-1)).toMatchObject({ brokerState: 'connected', brokerError: null });
  });

  it('a forced send goes only when something counted changed (the extras key too)', () => {
    let state = 'reading';
    const h = harness(() => state);
    h.report.sendNow();
    h.report.sendNow();
    expect(h.progress()).toHaveLength(1);
    state = 'stalled';
    h.report.sendNow();
    expect(h.progress()).toHaveLength(2);
  });

  it('a run that returned: its counts in a last progress event and in the ended event', () => {
    const h = harness();
    const ended = h.report.returned(result({ failed: 2 }), new KvsError('KAFKA_ERROR', 'two lost'));
    expect(h.progress().at(-1)).toMatchObject({ frames: 10, acked: 10, failed: 2 });
    expect(ended).toMatchObject({
      jobId: 'job1',
      ok: false,
      failed: 2,
      error: { code: 'KAFKA_ERROR' },
    });
    expect(h.report.returned(result(), null)).toMatchObject({ ok: true, error: null });
  });

  it('a run that threw: stopped with CANCELLED is a clean end; anything else is its error', () => {
    const h = harness();
    h.report.progress(p(4, 3));
    h.advance(250);
    const cancelled = new KvsError('CANCELLED', 'stopped');
    expect(h.report.threw(cancelled, true)).toMatchObject({
      ok: true,
      cancelled: true,
      error: null,
      frames: 4,
      acked: 3,
      durationMs: 250,
    });
    expect(h.report.threw(cancelled, false)).toMatchObject({
      ok: false,
      cancelled: false,
      error: { code: 'CANCELLED' },
    });
    expect(h.report.threw(new Error('boom'), true)).toMatchObject({
      ok: false,
      cancelled: true,
      error: { message: expect.stringContaining('boom') },
    });
  });

  it('the end: the link no longer counts, the ended event goes out', () => {
    const h = harness();
    const ended = h.report.returned(result(), null);
    h.report.end(ended);
    expect(h.links.at(-1)).toEqual(['job1', null]);
    expect(h.events.at(-1)).toEqual({ channel: 'produce:ended', payload: ended });
  });
});
