import { describe, expect, it } from 'vitest';
import type { TopicSummary } from '../../../../electron/shared/contract.js';
import { checkCreate, replicaWarning, visibleTopics } from './topics-logic.js';

const t = (name: string, internal = false): TopicSummary => ({
  name,
  partitions: 1,
  messages: 0,
  firstTimestamp: null,
  lastTimestamp: null,
  internal,
  replicationFactor: 1,
  underReplicated: 0,
  offline: 0,
});

describe('visibleTopics', () => {
  it('hides internal topics unless asked, sorted by name', () => {
    const list = [t('b'), t('__consumer_offsets', true), t('a')];
    expect(visibleTopics(list, false).map((x) => x.name)).toEqual(['a', 'b']);
    expect(visibleTopics(list, true).map((x) => x.name)).toEqual(['__consumer_offsets', 'a', 'b']);
  });
});

describe('checkCreate', () => {
  it('accepts a new name with partitions (default 1)', () => {
    expect(checkCreate(' demo ', '', [])).toEqual({ ok: true, topic: 'demo', partitions: 1 });
    expect(checkCreate('demo', '3', [])).toEqual({ ok: true, topic: 'demo', partitions: 3 });
  });
  it('explains what is wrong', () => {
    expect(checkCreate('a b', '1', [])).toMatchObject({ ok: false, field: 'name' });
    expect(checkCreate('demo', '1', [t('demo')])).toMatchObject({
      field: 'name',
      error: 'Topic "demo" already exists.',
    });
    expect(checkCreate('demo', '0', [])).toMatchObject({ field: 'partitions' });
    expect(checkCreate('demo', '1.5', [])).toMatchObject({ field: 'partitions' });
  });
});

describe('replicaWarning', () => {
  it('names offline partitions first, then under-replicated ones; nothing when all copies are in sync', () => {
    const base = { ...t('v'), partitions: 3, replicationFactor: 3 };
    expect(replicaWarning(base)).toBeNull();
    expect(replicaWarning({ ...base, underReplicated: 2 })).toBe(
      '2 of 3 partitions have fewer in-sync copies than the 3 they should: a broker is down or behind.',
    );
    expect(replicaWarning({ ...base, underReplicated: 3, offline: 1 })).toMatch(
      /^1 of 3 partitions have no leader/,
    );
  });
});
