import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_RECENT, RECENT_FILE, RecentConnections, addRecent } from './recent-connections.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'kvs-recent-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('recent connections', () => {
  it('keeps the most recent first, without duplicates, at most 8', () => {
    let list: string[] = [];
    for (let i = 0; i < 12; i++) list = addRecent(list, `10.0.0.${i}:9092`);
    expect(list).toHaveLength(MAX_RECENT);
    expect(list[0]).toBe('10.0.0.11:9092');
    list = addRecent(list, '10.0.0.8:9092');
    expect(list[0]).toBe('10.0.0.8:9092');
    expect(new Set(list).size).toBe(list.length);
  });

  it('persists across instances', async () => {
    const a = new RecentConnections(dir);
    await a.add('10.0.0.1:9092');
    await a.add('10.0.0.2:9092');
    await a.add('10.0.0.1:9092');
    expect(JSON.parse(await readFile(path.join(dir, RECENT_FILE), 'utf8'))).toEqual([
      '10.0.0.1:9092',
      '10.0.0.2:9092',
    ]);
    expect(await new RecentConnections(dir).get()).toEqual(['10.0.0.1:9092', '10.0.0.2:9092']);
  });

  it('reads a missing or damaged file as empty', async () => {
    expect(await new RecentConnections(path.join(dir, 'nope')).get()).toEqual([]);
    await writeFile(path.join(dir, RECENT_FILE), '{not json');
    expect(await new RecentConnections(dir).get()).toEqual([]);
    await writeFile(path.join(dir, RECENT_FILE), JSON.stringify({ a: 1 }));
    expect(await new RecentConnections(dir).get()).toEqual([]);
  });
});
